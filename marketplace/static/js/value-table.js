// Progressive enhancement of the value-table row form: the example calculation follows what is
// typed, without pressing "Voorbeeld berekenen". A short pause after a change posts the form as
// that button does (nothing is saved) and puts the answer's example in place; the fields are left
// alone, so typing goes on undisturbed. Without this file the button does the same, one page later.
// A change of unit asks for other example fields: for that the button is still the way.
(function () {
  "use strict";
  var form = document.querySelector("[data-block-form]");
  var preview = document.getElementById("preview");
  if (!form || !preview || !window.fetch || !window.FormData || !window.DOMParser) { return; }
  var timer = null;
  var latest = 0;

  function refresh() {
    var asked = ++latest;
    var data = new FormData(form);
    data.set("action", "preview");
    // getAttribute: `form.action` is the button named "action", not the form's address.
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || asked !== latest) { return; }
        var answer = new DOMParser().parseFromString(html, "text/html").getElementById("preview");
        if (answer) { preview.innerHTML = answer.innerHTML; }
      })
      .catch(function () { /* the button still works */ });
  }

  function changed(event) {
    if (event.target.name === "unit") { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
