// The credwalk pages: plain JavaScript over the JSON API (no build step, no dependencies).
"use strict";

const $ = (selector) => document.querySelector(selector);
const escapeHtml = (text) =>
  String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function show(tab) {
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t.id === tab));
  document.querySelectorAll("nav button").forEach((b) => b.classList.toggle("active", b.dataset.tab === tab));
}
document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => show(b.dataset.tab)));

async function api(path, options = {}) {
  const response = await fetch(path, { headers: { "content-type": "application/json" }, ...options });
  const body = await response.json();
  if (!response.ok) {
    const error = body.error || { message: response.statusText, details: {} };
    throw new Error(`${error.code || response.status}: ${error.message}`);
  }
  return body;
}

function failed(target, error) {
  target.innerHTML = `<p class="error">${escapeHtml(error.message)}</p>`;
}

function matchRows(matches) {
  return matches
    .map(
      (m) => `<tr><td class="score">${m.score.toFixed(3)}${m.band ? ` <span class="band-${m.band}">${m.band}</span>` : ""}</td>
      <td><a class="concept" data-uri="${escapeHtml(m.uri)}">${escapeHtml(m.label)}</a>
      <div class="why">${escapeHtml(m.reason || `${m.evidence.field}: “${m.evidence.text}” — words: ${m.evidence.terms.join(", ") || "none"}`)}</div></td></tr>`,
    )
    .join("");
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.concept");
  if (link) showConcept(link.dataset.uri);
});

async function showConcept(uri) {
  const target = $("#concept-detail");
  show("concept");
  try {
    const c = await api(`/v1/concepts/${encodeURIComponent(uri)}`);
    const groups = {};
    for (const r of c.related) (groups[`${r.relation} (${r.direction})`] ||= []).push(r);
    target.innerHTML = `<h2>${escapeHtml(c.label)}</h2><p>${escapeHtml(c.kind)} · ${escapeHtml(c.framework)} ${escapeHtml(c.framework_version || "")} · <code>${escapeHtml(c.uri)}</code></p>
      <p>${escapeHtml(c.descriptions.en || Object.values(c.descriptions)[0] || "")}</p>
      <p class="why">Also: ${escapeHtml(c.labels.filter((l) => l.kind === "alternative").map((l) => l.text).slice(0, 12).join(" · "))}</p>
      ${Object.entries(groups)
        .map(([name, items]) => `<h3>${escapeHtml(name)}</h3><p>${items.map((r) => `<a class="concept" data-uri="${escapeHtml(r.uri)}">${escapeHtml(r.label)}</a>`).join(" · ")}</p>`)
        .join("")}`;
  } catch (error) {
    failed(target, error);
  }
}

$("#search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const target = $("#search-results");
  try {
    const body = await api(`/v1/${form.get("kind")}/search?q=${encodeURIComponent(form.get("q"))}&top=15`);
    target.innerHTML = `<table>${matchRows(body.results)}</table>`;
  } catch (error) {
    failed(target, error);
  }
});

$("#map-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const texts = new FormData(event.target).get("texts").split("\n").map((t) => t.trim()).filter(Boolean);
  const target = $("#map-results");
  try {
    const body = await api("/v1/match", { method: "POST", body: JSON.stringify({ texts, top: 5 }) });
    target.innerHTML = body.results.map((r) => `<h3>${escapeHtml(r.text)}</h3><table>${matchRows(r.matches)}</table>`).join("");
  } catch (error) {
    failed(target, error);
  }
});

$("#credentials-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const jurisdiction = new FormData(event.target).get("jurisdiction");
  const target = $("#credential-results");
  try {
    const body = await api(`/v1/credentials${jurisdiction ? `?jurisdiction=${encodeURIComponent(jurisdiction)}` : ""}`);
    target.innerHTML = `<p>${body.count} credentials</p><table>${body.data
      .map((c) => `<tr><td>${escapeHtml(c.title)}<div class="why">${escapeHtml(c.id)}</div></td><td>${escapeHtml(c.jurisdiction || "")}</td>
        <td>${c.level ? `${escapeHtml(c.level.framework)} ${escapeHtml(c.level.value)}` : ""}</td><td>${(c.skills || []).length} skills</td></tr>`)
      .join("")}</table>`;
  } catch (error) {
    failed(target, error);
  }
});

$("#equivalence-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const target = $("#equivalence-results");
  try {
    const body = await api("/v1/equivalence", { method: "POST", body: JSON.stringify({ a: form.get("a"), b: form.get("b") }) });
    target.innerHTML = `<pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre>`;
  } catch (error) {
    failed(target, error);
  }
});

$("#pathway-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const target = $("#pathway-results");
  try {
    const learner = JSON.parse(form.get("learner"));
    const body = await api("/v1/pathways", { method: "POST", body: JSON.stringify({ learner, target: form.get("target") }) });
    target.innerHTML = `<pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre>`;
  } catch (error) {
    failed(target, error);
  }
});
