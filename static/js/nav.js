// A menu of the top bar (<details class="navgroup">) closes when another opens, on a click
// elsewhere and on Escape; without this script it still opens and closes on its own summary.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.navgroup[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll("details.navgroup[open]").forEach((menu) => {
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  });
});
