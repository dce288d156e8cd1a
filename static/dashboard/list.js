// The ticket list's page script. On phones the filter panel starts folded, so the tickets
// come first. Selection: "select all" for the page, a live "N selected", and a confirmation
// naming the count and the changes before a bulk change of many tickets. Without this
// script the filters stay open and the server asks on a page of its own (views.ticket_bulk).
(() => {
  "use strict";
  const panel = document.getElementById("filter-panel");
  const phone = window.matchMedia("(max-width: 720px)");
  if (panel) {
    panel.open = !phone.matches;
    phone.addEventListener("change", () => { panel.open = !phone.matches; });
  }

  const form = document.getElementById("bulk-form");
  const selectAll = document.getElementById("select-all");
  const count = document.getElementById("selected-count");
  const rows = document.getElementById("ticket-rows");
  if (!form || !selectAll || !count || !rows) return;

  const boxes = () => Array.from(rows.querySelectorAll("input[type=checkbox][name=ids]"));
  const checked = () => boxes().filter((box) => box.checked);

  function update() {
    const all = boxes().length;
    const chosen = checked().length;
    count.textContent = chosen ? `${chosen} selected` : "None selected";
    selectAll.checked = all > 0 && chosen === all;
    selectAll.indeterminate = chosen > 0 && chosen < all;
  }

  selectAll.addEventListener("change", () => {
    for (const box of boxes()) box.checked = selectAll.checked;
    update();
  });
  rows.addEventListener("change", update);
  // Rows come and go live (live.js): the count and "select all" follow.
  new MutationObserver(update).observe(rows, { childList: true });

  form.addEventListener("submit", (event) => {
    const chosen = checked().length;
    if (chosen < Number(form.dataset.confirmFrom)) return;
    const changes = Array.from(form.querySelectorAll("select"))
      .filter((select) => select.value)
      .map((select) => `${select.name[0].toUpperCase()}${select.name.slice(1)}: ${select.selectedOptions[0].textContent}`);
    if (!changes.length) return; // the server says what is missing
    if (window.confirm(`Change ${chosen} tickets?\n\n${changes.join("\n")}`)) {
      form.elements.confirmed.value = "True";
    } else {
      event.preventDefault();
    }
  });

  document.getElementById("select-all-label").hidden = false;
  count.hidden = false;
  update();
})();
