// "Select all" for a form with a column of checkboxes (the approval queue). The button stays
// hidden unless this script runs, so without JavaScript nothing half-works.
document.querySelectorAll("[data-select-all]").forEach((button) => {
  const name = button.dataset.selectAll;
  const boxes = () => [...button.form.querySelectorAll(`input[type="checkbox"][name="${name}"]`)];
  button.hidden = false;
  button.addEventListener("click", () => {
    const all = boxes();
    const check = all.some((box) => !box.checked);
    all.forEach((box) => { box.checked = check; });
  });
});
