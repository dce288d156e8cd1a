// The reply box's canned responses: pick one from the list, search it by title or /shortcut,
// or type "/shortcut " at the start of the reply; its preview (rendered by the server for
// this ticket) shows below. Nothing here builds HTML: previews are the server's, hidden or shown.
(() => {
  "use strict";
  const select = document.getElementById("macro-select");
  if (!select) return;
  const search = document.getElementById("macro-search");
  const reply = document.querySelector("#comment-form textarea[name=comment]");
  const options = [...select.options].filter((option) => option.value);

  function showPreview() {
    for (const preview of document.querySelectorAll("[data-macro-preview]")) {
      preview.hidden = preview.dataset.macroPreview !== select.value;
    }
  }

  function choose(option) {
    select.value = option.value;
    showPreview();
  }

  function find(text) {
    const wanted = text.trim().toLowerCase();
    if (!wanted) return null;
    const shortcut = wanted.startsWith("/") ? wanted.slice(1) : wanted;
    return options.find((option) => option.dataset.shortcut === shortcut)
      || options.find((option) => option.dataset.title === wanted)
      || null;
  }

  search.hidden = false;
  search.addEventListener("input", () => {
    const option = find(search.value);
    if (option) choose(option);
  });
  select.addEventListener("change", showPreview);
  // "/refund " typed at the start of the reply picks that response; the shortcut is removed.
  reply?.addEventListener("input", () => {
    const typed = /^\/([a-z0-9][a-z0-9_-]*)\s/i.exec(reply.value);
    const option = typed && find(`/${typed[1]}`);
    if (!option) return;
    choose(option);
    reply.value = reply.value.slice(typed[0].length);
    search.value = `/${option.dataset.shortcut}`;
  });
  showPreview();
})();
