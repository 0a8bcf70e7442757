// The queue dashboard: a static page and its script. They hold no data; the script asks for the
// platform operator's token (kept in this tab's sessionStorage) and reads and drives the queues
// through the token-protected API (GET /v1/jobs, POST /v1/jobs/{name}/run, POST .../retry).

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Keyward queues</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}
.failed{color:#b00}.completed{color:#070}code{font-size:12px}button{margin-right:.3em}
</style></head>
<body><h1>Keyward queues</h1>
<form id="login"><label>Platform operator token <input id="token" type="password" size="60" autocomplete="off"></label>
<button>Use</button> <span id="status"></span></form>
<div id="queues"></div>
<script src="/v1/jobs/dashboard.js"></script>
</body></html>`;

export const DASHBOARD_JS = `(() => {
  const scheduled = ['rotation', 'expiry', 'unused-audit', 'signals'];
  const $ = (id) => document.getElementById(id);
  const esc = (v) => String(v == null ? '' : v).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const token = () => sessionStorage.getItem('keyward-platform-token') || '';
  const call = async (method, path) => {
    const response = await fetch(path, { method, headers: { authorization: 'Bearer ' + token() } });
    if (!response.ok) throw new Error(response.status + ' ' + (await response.text()));
    return response.json();
  };
  const render = (queues) => {
    $('queues').innerHTML = queues.map((q) => '<h2>' + esc(q.name) + '</h2>' +
      (scheduled.includes(q.name) ? '<button data-run="' + esc(q.name) + '">Run now</button>' : '') +
      '<table><tr>' + Object.keys(q.counts).map((k) => '<th>' + esc(k) + '</th>').join('') + '<th>schedules</th></tr><tr>' +
      Object.values(q.counts).map((v) => '<td>' + esc(v) + '</td>').join('') +
      '<td>' + q.schedules.map((s) => esc(s.id) + ' every ' + esc(s.everyMs) + ' ms, next ' + esc(s.next)).join('<br>') + '</td></tr></table>' +
      '<table><tr><th>job</th><th>state</th><th>attempts</th><th>finished</th><th>result</th></tr>' +
      q.recent.map((j) => '<tr><td><code>' + esc(j.jobId) + '</code></td><td class="' + esc(j.state) + '">' + esc(j.state) +
        (j.state === 'failed' ? ' <button data-retry="' + esc(q.name) + '/' + esc(j.jobId) + '">Retry</button>' : '') + '</td><td>' + esc(j.attempts) +
        '</td><td>' + esc(j.finishedAt) + '</td><td><code>' + esc(j.failedReason || JSON.stringify(j.result)) + '</code></td></tr>').join('') + '</table>').join('');
  };
  const refresh = async () => {
    if (!token()) { $('status').textContent = 'enter the token'; return; }
    try { render((await call('GET', '/v1/jobs')).queues); $('status').textContent = 'updated ' + new Date().toLocaleTimeString(); }
    catch (error) { $('status').textContent = String(error.message).slice(0, 200); }
  };
  // A link may carry the token in its fragment (never sent to the server): kept, then cleared from the address bar.
  if (location.hash.startsWith('#token=')) {
    sessionStorage.setItem('keyward-platform-token', decodeURIComponent(location.hash.slice(7)));
    history.replaceState(null, '', location.pathname);
  }
  $('login').addEventListener('submit', (event) => { event.preventDefault(); sessionStorage.setItem('keyward-platform-token', $('token').value); $('token').value = ''; refresh(); });
  $('queues').addEventListener('click', async (event) => {
    const run = event.target.getAttribute('data-run');
    const retry = event.target.getAttribute('data-retry');
    try {
      if (run) await call('POST', '/v1/jobs/' + encodeURIComponent(run) + '/run');
      if (retry) await call('POST', '/v1/jobs/' + retry.split('/').map(encodeURIComponent).join('/') + '/retry');
    } catch (error) { $('status').textContent = String(error.message).slice(0, 200); }
    refresh();
  });
  refresh();
  setInterval(refresh, 3000);
})();`;
