// Statistics charts (Chart.js, vendored). Figures come from the page's JSON, not the network.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const report = data.report;
  Chart.defaults.animation = false; // figures, not a show: draw them at once
  const colors = {
    open: "#2563eb", in_progress: "#7c3aed", waiting_customer: "#d97706", resolved: "#16a34a", closed: "#6b7280",
    low: "#94a3b8", medium: "#3b82f6", high: "#f59e0b", urgent: "#dc2626",
  };
  const labels = (object) => Object.keys(object).map((key) => key.replace("_", " "));
  const palette = (object) => Object.keys(object).map((key) => colors[key] || "#64748b");
  const noLegend = { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } };

  new Chart(document.getElementById("chart-daily"), {
    type: "line",
    data: {
      labels: data.daily.map((row) => row.day),
      datasets: [
        { label: "Created", data: data.daily.map((row) => row.created), borderColor: "#2563eb", backgroundColor: "#2563eb" },
        { label: "Resolved", data: data.daily.map((row) => row.resolved), borderColor: "#16a34a", backgroundColor: "#16a34a" },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  new Chart(document.getElementById("chart-status"), {
    type: "bar",
    data: { labels: labels(report.byStatus), datasets: [{ label: "Tickets", data: Object.values(report.byStatus), backgroundColor: palette(report.byStatus) }] },
    options: noLegend,
  });
  new Chart(document.getElementById("chart-priority"), {
    type: "bar",
    data: { labels: labels(report.byPriority), datasets: [{ label: "Tickets", data: Object.values(report.byPriority), backgroundColor: palette(report.byPriority) }] },
    options: noLegend,
  });
  new Chart(document.getElementById("chart-times"), {
    type: "bar",
    data: {
      labels: ["First response", "Resolution"],
      datasets: [{ label: "Average minutes", data: [report.averageResponseTimeMinutes, report.averageResolutionTimeMinutes], backgroundColor: ["#3b82f6", "#16a34a"] }],
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } } },
  });
  const rate = report.slaComplianceRate;
  new Chart(document.getElementById("chart-sla"), {
    type: "doughnut",
    data: {
      labels: ["Met", "Missed"],
      datasets: [{ data: rate === null ? [0, 0] : [rate, Math.round((100 - rate) * 10) / 10], backgroundColor: ["#16a34a", "#dc2626"] }],
    },
  });
})();
