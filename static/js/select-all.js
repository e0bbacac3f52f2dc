// A checkbox with data-select-all="NAME" ticks or clears every checkbox named NAME in its form,
// and a [data-selected-count] element shows how many are ticked.
document.addEventListener("change", (event) => {
  const box = event.target;
  const form = box.form;
  if (!form) return;
  if (box.dataset.selectAll) {
    form.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`).forEach((b) => { b.checked = box.checked; });
  }
  const counter = form.querySelector("[data-selected-count]");
  if (counter) counter.textContent = form.querySelectorAll("input[type=checkbox][name=ids]:checked").length;
});
