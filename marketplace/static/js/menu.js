// The main menu on a phone: base.html renders a hidden "Menu" button; this script shows it and
// marks the nav bar, and app.css then folds the links behind the button on a narrow screen
// (on a wide one the button stays invisible and the links show). Without JavaScript the button
// stays hidden and the links scroll sideways in one row. Escape closes the menu and puts the
// focus back on the button.
document.querySelectorAll(".app-menu-button").forEach((button) => {
  const nav = button.closest("nav");
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  const setOpen = (open) => button.setAttribute("aria-expanded", open ? "true" : "false");
  nav.classList.add("app-nav-bar--foldable");
  button.hidden = false;
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  nav.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      if (menu.contains(document.activeElement)) button.focus();
    }
  });
});
