// Live dashboard: one WebSocket to /ws/admin/ (session cookie), events as docs/events.md lists them.
// Rows and sections are re-rendered by the server and swapped in; nothing a user typed is
// ever inserted as HTML here (names and text go in through textContent).
(() => {
  "use strict";
  const body = document.body;
  const me = body.dataset.me || "";
  const liveStatus = document.getElementById("live-status");
  let socket = null;
  let retryMs = 1000;
  if (liveStatus) liveStatus.hidden = false;

  function setLive(isLive) {
    if (!liveStatus) return;
    liveStatus.dataset.state = isLive ? "live" : "offline";
    liveStatus.textContent = isLive ? "Live" : "Offline, reconnecting…";
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/ws/admin/`);
    socket.addEventListener("open", () => {
      retryMs = 1000;
      send({ type: "join-admin" });
    });
    socket.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message.event === "joined") {
        setLive(true);
        page.joined?.();
      } else {
        page.handle?.(message);
      }
    });
    socket.addEventListener("close", (event) => {
      setLive(false);
      if (event.code === 4401 || event.code === 4403) return; // signed out: no point retrying
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30000);
    });
  }

  async function fetchHtml(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (response.status === 204) return null;
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.text();
  }

  function rowElement(html) {
    const tbody = document.createElement("tbody");
    tbody.innerHTML = html.trim();
    return tbody.firstElementChild;
  }

  function flash(element) {
    element.classList.remove("flash");
    void element.offsetWidth; // restart the animation
    element.classList.add("flash");
  }

  // --- Ticket list: changed rows re-render in place, new tickets slot in at the top ---
  const listPage = {
    rowUrl(id) {
      return body.dataset.rowUrl.replace("/0/", `/${id}/`) + location.search;
    },
    async refreshRow(id, insertNew) {
      const existing = document.getElementById(`ticket-row-${id}`);
      if (!existing && !insertNew) return;
      const html = await fetchHtml(this.rowUrl(id));
      if (html === null) { existing?.remove(); return; } // no longer matches the filters
      const row = rowElement(html);
      if (existing) {
        const wasChecked = existing.querySelector("input[type=checkbox]")?.checked;
        existing.replaceWith(row);
        if (wasChecked) row.querySelector("input[type=checkbox]").checked = true;
      } else {
        const rows = document.getElementById("ticket-rows");
        rows.querySelector("tr.empty")?.remove();
        rows.prepend(row);
      }
      flash(row);
    },
    handle(message) {
      if (message.event === "tickets-bulk-updated") {
        // One message for a bulk change: only the rows on this page are fetched again.
        for (const id of message.data.ids) this.refreshRow(id, false).catch(console.error);
        return;
      }
      const id = message.data && message.data.id;
      if (!id) return;
      if (message.event === "new-ticket") {
        if (body.dataset.liveInsert === "true") this.refreshRow(id, true).catch(console.error);
        else document.getElementById("new-tickets").hidden = false;
      } else {
        this.refreshRow(id, false).catch(console.error);
      }
    },
  };

  // --- Ticket page: presence, collision warning, live sections ---
  const detailPage = {
    ticketId: Number(body.dataset.ticketId),
    updateFormDirty: false,
    joined() {
      send({ type: "view-ticket", ticketId: this.ticketId });
    },
    showPresence(viewers) {
      const element = document.getElementById("presence");
      element.hidden = viewers.length === 0;
      element.textContent = viewers.length ? `Also viewing now: ${viewers.join(", ")}` : "";
    },
    warnCollision(comment) {
      const element = document.getElementById("collision-warning");
      const kind = comment.isInternal ? "an internal note" : comment.authorType === "customer" ? "a message (customer)" : "a reply";
      element.textContent = `${comment.author} added ${kind} while you were here. Read it before you send yours.`;
      element.hidden = false;
    },
    async refreshSections() {
      const html = await fetchHtml(body.dataset.liveUrl);
      if (html === null) return;
      const fresh = new DOMParser().parseFromString(html, "text/html");
      for (const id of ["ticket-summary", "conversation", "timeline"]) {
        const current = document.getElementById(id);
        const replacement = fresh.getElementById(id);
        if (current && replacement) { current.replaceWith(replacement); flash(replacement); }
      }
      const freshForm = fresh.getElementById("update-form");
      if (!this.updateFormDirty && freshForm) document.getElementById("update-form").replaceWith(freshForm);
      // The new comments are on screen now: the reply form has seen them.
      const newest = fresh.body.dataset.newestComment;
      const seen = document.querySelector("#comment-form input[name=seen_comment_id]");
      if (seen && newest) seen.value = newest;
      countdowns();
    },
    handle(message) {
      if (message.event === "presence") {
        if (message.data.ticketId === this.ticketId) this.showPresence(message.data.viewers);
        return;
      }
      if (message.event === "tickets-bulk-updated") {
        if (message.data.ids.includes(this.ticketId)) this.refreshSections().catch(console.error);
        return;
      }
      if (!message.data || message.data.id !== this.ticketId) return;
      if (message.event === "ticket-comment-added" && message.data.comment.author !== me) {
        this.warnCollision(message.data.comment);
      }
      this.refreshSections().catch(console.error);
    },
  };

  // --- "in 3h 12m" / "overdue by 5m" next to every SLA deadline ---
  function humanize(ms) {
    const minutes = Math.round(Math.abs(ms) / 60000);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    if (days) return `${days}d ${hours}h`;
    if (hours) return `${hours}h ${rest}m`;
    return `${rest}m`;
  }

  function countdowns() {
    for (const element of document.querySelectorAll("time[data-countdown]")) {
      const left = new Date(element.getAttribute("datetime")).getTime() - Date.now();
      if (!element.title) element.title = element.textContent;
      element.textContent = left >= 0 ? `in ${humanize(left)}` : `overdue by ${humanize(left)}`;
      element.classList.toggle("late", left < 0);
    }
  }

  const pages = { "ticket-list": listPage, "ticket-detail": detailPage };
  const page = pages[body.dataset.page] || {};
  if (body.dataset.page === "ticket-detail") {
    document.addEventListener("input", (event) => {
      if (event.target.closest("#update-form")) detailPage.updateFormDirty = true;
    });
  }
  countdowns();
  setInterval(countdowns, 30000);
  connect();
})();
