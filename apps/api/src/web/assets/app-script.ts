/**
 * The one page script, served from `/assets/agnes.js` (the CSP allows scripts from 'self'
 * only, so nothing is inline). Plain ES2020 for the browser, kept as a string so the built
 * server serves it without copying files next to `dist`. It only enhances: every form works
 * without it. Data reaches the DOM through `textContent` and `value`, never as HTML.
 */
export const APP_SCRIPT = String.raw`'use strict';
(function () {
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') || '' : '';

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallbackCopy(text); });
    }
    return Promise.resolve(fallbackCopy(text));
  }
  function fallbackCopy(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  function flash(button, text) {
    var original = button.getAttribute('data-label') || button.textContent;
    button.setAttribute('data-label', original);
    button.textContent = text;
    setTimeout(function () { button.textContent = original; }, 1500);
  }

  // Copy buttons: <button data-copy="id-of-element">; the element's value or text is copied.
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-copy'));
      if (!target) return;
      var text = 'value' in target && typeof target.value === 'string' ? target.value : target.textContent;
      copyText(text).then(function (ok) { flash(button, ok ? 'Copied!' : 'Select and copy by hand'); });
    });
  });

  // Forms that ask first: <form data-confirm="question">.
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });

  // One-click setup of a new machine: create a token, copy the whole setup.
  var setup = document.getElementById('setup-machine');
  if (setup) {
    var status = document.getElementById('setup-status');
    var output = document.getElementById('setup-output');
    var template = document.getElementById('setup-template');
    setup.hidden = false;
    setup.addEventListener('click', function () {
      setup.disabled = true;
      status.textContent = 'Creating a token…';
      var name = 'setup ' + new Date().toISOString().slice(0, 16).replace('T', ' ');
      fetch('/auth/tokens', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ name: name, expires_in_days: 90 })
      }).then(function (res) {
        if (res.status === 401) { window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname)); return null; }
        return res.json().then(function (body) {
          if (!res.ok) throw new Error(body && body.error ? body.error.message : 'the server answered ' + res.status);
          return body;
        });
      }).then(function (body) {
        if (!body) return;
        var text = template.value.split('{token}').join(body.token);
        output.value = text;
        output.hidden = false;
        document.getElementById('setup-output-label').hidden = false;
        return copyText(text).then(function (ok) {
          status.textContent = ok
            ? 'Token "' + body.name + '" created and the setup copied to your clipboard. Paste it into a terminal on the new machine.'
            : 'Token "' + body.name + '" created. Copy the setup below by hand; it is shown only once.';
        });
      }).catch(function (error) {
        status.textContent = 'Could not create a token: ' + error.message;
      }).then(function () { setup.disabled = false; });
    });
  }

  // Sync progress: <section data-job-id="…"> polls the job until it finishes.
  var job = document.querySelector('[data-job-id]');
  if (job) {
    var id = job.getAttribute('data-job-id');
    var phase = document.getElementById('job-phase');
    var state = document.getElementById('job-status');
    var tables = document.getElementById('job-tables');
    var poll = function () {
      fetch('/api/sync/jobs/' + encodeURIComponent(id), { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (body) {
          if (!body) return;
          state.textContent = body.status;
          phase.textContent = body.phase;
          tables.textContent = body.tables.map(function (t) { return t.source + '.' + t.table + ': ' + t.status + ' (' + t.rows + ' rows)' + (t.reason ? ' — ' + t.reason : ''); }).join('\n') || 'no tables yet';
          job.setAttribute('data-status', body.status);
          if (body.status === 'running') setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    if (job.getAttribute('data-status') === 'running') setTimeout(poll, 500);
  }
})();
`;
