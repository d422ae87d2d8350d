// Progressive enhancement of the realisation form: show only the fields of the chosen building
// block's unit, and only the bonuses that block has. Without this file every group is shown with a
// note saying which kinds of block it is for, and the server ignores fields of other units.
// Hidden groups are disabled too, so their stale values are not sent.
(function () {
  "use strict";
  var form = document.querySelector("[data-realisation-form]");
  if (!form) { return; }
  var select = form.querySelector("select[name='block_code']");
  if (!select) { return; }

  function setShown(element, shown) {
    element.hidden = !shown;
    if (element.tagName === "FIELDSET") {
      element.disabled = !shown;
    }
  }

  function update() {
    var option = select.options[select.selectedIndex];
    var unit = option ? option.getAttribute("data-unit") : null;
    var bonuses = ((option && option.getAttribute("data-bonuses")) || "").split(" ").filter(Boolean);

    form.querySelectorAll("[data-unit-note]").forEach(function (note) {
      note.hidden = Boolean(unit);
    });
    form.querySelectorAll("[data-units]").forEach(function (element) {
      var units = element.getAttribute("data-units").split(" ");
      setShown(element, !unit || units.indexOf(unit) !== -1);
    });
    if (!unit) { return; }
    var anyBonus = false;
    form.querySelectorAll("[data-bonus]").forEach(function (element) {
      var shown = bonuses.indexOf(element.getAttribute("data-bonus")) !== -1;
      element.hidden = !shown;
      var box = element.querySelector("input");
      box.disabled = !shown;
      if (!shown) { box.checked = false; }
      anyBonus = anyBonus || shown;
    });
    var group = form.querySelector("[data-units] [data-bonus]");
    if (group) {
      var wrapper = group.closest("[data-units]");
      setShown(wrapper, unit === "fte_year" && anyBonus);
    }
  }

  select.addEventListener("change", update);
  update();
})();
