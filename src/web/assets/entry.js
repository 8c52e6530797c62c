// The entry sheet by keyboard and clipboard: Enter moves down a row, Tab goes value → value (to the reason
// first where a correction needs one), a column pasted from Excel fills the rows downward, one cell each;
// after a save the new statuses replace "评估中…" once the re-evaluation is done. The form works without it.
(function () {
  'use strict';
  var form = document.querySelector('form[data-entry-sheet]');
  if (!form) return;
  var zh = (document.documentElement.lang || 'zh').indexOf('zh') === 0;
  var values = function () { return Array.prototype.slice.call(form.querySelectorAll('input[data-entry-value]')); };
  var rowOf = function (el) { return el.closest('tr'); };

  function move(from, step) {
    var list = values();
    var next = list[list.indexOf(from) + step];
    if (!next) return false;
    next.focus();
    next.select();
    return true;
  }

  /** The reason input of a row whose reported figure is being changed without a reason yet. */
  function reasonOwed(input) {
    var original = input.getAttribute('data-original');
    var value = input.value.trim();
    if (!original || !value || value === original) return null;
    var reason = rowOf(input).querySelector('input[data-entry-reason]');
    return reason && !reason.value.trim() ? reason : null;
  }

  form.addEventListener('keydown', function (event) {
    var el = event.target;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) return; // Ctrl+Enter saves, as a form does
    var isValue = el.matches && el.matches('input[data-entry-value]');
    var isReason = el.matches && el.matches('input[data-entry-reason]');
    if (!isValue && !isReason) return;
    var value = isValue ? el : rowOf(el).querySelector('input[data-entry-value]');
    if (event.key === 'Enter') {
      event.preventDefault();
      move(value, event.shiftKey ? -1 : 1);
    } else if (event.key === 'Tab' && !event.altKey && !event.ctrlKey && !event.metaKey) {
      if (isValue && !event.shiftKey) {
        var reason = reasonOwed(el);
        if (reason) {
          event.preventDefault();
          reason.focus();
          return;
        }
      }
      if (isReason && event.shiftKey) return; // back to its own value, as the browser does
      if (move(value, event.shiftKey ? -1 : 1)) event.preventDefault();
    }
  });

  var notice = document.getElementById('paste-notice');
  form.addEventListener('paste', function (event) {
    var el = event.target;
    if (!el.matches || !el.matches('input[data-entry-value]')) return;
    var text = (event.clipboardData || window.clipboardData).getData('text');
    var lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
    if (lines.length < 2) return; // one cell: the browser pastes it (the server refuses several cells in one)
    event.preventDefault();
    var list = values();
    var start = list.indexOf(el);
    var filled = 0;
    var wide = false;
    for (var i = 0; i < lines.length && start + i < list.length; i++) {
      var cells = lines[i].split('\t');
      if (cells.length > 1) wide = true;
      list[start + i].value = cells[0].trim();
      list[start + i].dispatchEvent(new Event('input', { bubbles: true }));
      filled++;
    }
    var left = lines.length - filled;
    var message = zh ? '已从本行起向下填入 ' + filled + ' 个值' : 'Filled ' + filled + ' values downward from this row';
    if (left > 0) message += zh ? '；多出的 ' + left + ' 个值没有对应的行，未填入' : '; ' + left + ' more had no row and were left out';
    if (wide) message += zh ? '；每行只取第一列' : '; only the first column of each line was taken';
    if (notice) {
      notice.textContent = message + (zh ? '。请核对后保存。' : '. Check them, then save.');
      notice.hidden = false;
    }
    list[Math.min(start + filled, list.length) - 1].focus();
  });

  var url = form.getAttribute('data-status-url');
  if (!url || !form.querySelector('[data-pending]') || !window.fetch) return;
  var tries = 0;
  (function poll() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        var waiting = 0;
        data.rows.forEach(function (row) {
          var cell = form.querySelector('tr[data-code="' + row.code + '"] [data-status-cell]');
          if (!cell || !cell.querySelector('[data-pending]')) return;
          if (row.pending) { waiting++; return; }
          var badge = document.createElement('span');
          badge.className = 'status ' + row.colour;
          badge.textContent = row.text;
          cell.replaceChildren(badge);
        });
        if (waiting && ++tries < 60) setTimeout(poll, 1500);
      })
      .catch(function () { /* the page still shows 评估中…; a reload tells */ });
  })();
})();
