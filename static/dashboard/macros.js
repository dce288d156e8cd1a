// The reply box's canned responses: pick one from the list, search it by title or /shortcut,
// or type "/shortcut " at the start of the reply; its preview (rendered by the server for
// this ticket) shows below, followed by the agent's own words as they will be sent. Nothing
// here builds HTML: previews are the server's, shown or hidden; typed text goes in as text.
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

  // The agent's own words go after the canned text.
  function showOwnWords() {
    const words = reply ? reply.value.trim() : "";
    for (const element of document.querySelectorAll("[data-macro-extra]")) {
      element.textContent = words;
      element.hidden = !words;
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

  // "/refund " typed at the start of the reply picks that response; the shortcut is removed.
  function pickTypedShortcut() {
    const typed = /^\/([a-z0-9][a-z0-9_-]*)\s/i.exec(reply.value);
    const option = typed && find(`/${typed[1]}`);
    if (!option) return;
    choose(option);
    reply.value = reply.value.slice(typed[0].length);
    search.value = `/${option.dataset.shortcut}`;
  }

  search.hidden = false;
  search.addEventListener("input", () => {
    const option = find(search.value);
    if (option) choose(option);
  });
  select.addEventListener("change", showPreview);
  reply?.addEventListener("input", () => {
    pickTypedShortcut();
    showOwnWords();
  });
  showPreview();
  showOwnWords();
})();
