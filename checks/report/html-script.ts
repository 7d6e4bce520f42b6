/**
 * The HTML report's one script, inline and allowed by its hash. It only reads the page's own
 * JSON data block and writes with textContent, so nothing it shows can become markup: a tooltip
 * for the chart column under the pointer or the keyboard focus (roving focus: Tab into the
 * chart, then the arrow keys, Home and End; Escape hides it), and the copy buttons.
 */
export const REPORT_SCRIPT = `(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.add('js');
  var source = document.getElementById('pixel-chart');
  var columns = source ? JSON.parse(source.textContent || '[]') : [];
  var status = document.getElementById('status');

  function say(text) { if (status) status.textContent = text; }

  function copied(button) {
    var label = button.textContent;
    button.textContent = 'Copied';
    button.classList.add('done');
    say('Copied to the clipboard');
    setTimeout(function () { button.textContent = label; button.classList.remove('done'); }, 1600);
  }

  function selectAndCopy(button) {
    var code = button.parentNode && button.parentNode.querySelector('code');
    if (!code) return;
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    if (ok) copied(button); else say('Selected: press Ctrl+C or Cmd+C to copy');
  }

  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest ? event.target.closest('button.copy') : null;
    if (!button) return;
    var text = button.getAttribute('data-copy') || '';
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button); }, function () { selectAndCopy(button); });
    } else {
      selectAndCopy(button);
    }
  });

  // A chart box holds a wide and a narrow drawing (one shown at a time), with one tooltip.
  Array.prototype.forEach.call(document.querySelectorAll('.chart-box'), function (box) {
    var tip = box.querySelector('.tooltip');
    if (tip) Array.prototype.forEach.call(box.querySelectorAll('svg'), function (svg) { chart(box, tip, svg); });
  });

  function chart(box, tip, svg) {
    var bins = Array.prototype.slice.call(svg.querySelectorAll('.bin'));
    if (bins.length === 0) return;
    var shown = null;

    function fill(column) {
      tip.textContent = '';
      var title = document.createElement('b');
      title.textContent = column.title;
      tip.appendChild(title);
      var list = document.createElement('dl');
      column.rows.forEach(function (row) {
        var dt = document.createElement('dt');
        dt.textContent = row[0];
        var dd = document.createElement('dd');
        dd.textContent = row[1];
        list.appendChild(dt);
        list.appendChild(dd);
      });
      tip.appendChild(list);
      if (column.flags.length > 0) {
        var flags = document.createElement('div');
        flags.className = 'flags';
        column.flags.forEach(function (flag) {
          var line = document.createElement('div');
          line.className = flag[0];
          line.textContent = flag[1];
          flags.appendChild(line);
        });
        tip.appendChild(flags);
      }
    }

    function show(bin) {
      var column = columns[Number(bin.getAttribute('data-i'))];
      if (!column) return;
      if (shown && shown !== bin) shown.classList.remove('active');
      shown = bin;
      bin.classList.add('active');
      fill(column);
      tip.hidden = false;
      var area = box.getBoundingClientRect();
      var at = bin.getBoundingClientRect();
      var width = tip.offsetWidth;
      var centre = at.left - area.left + at.width / 2;
      // Beside the column, never over it, on whichever side has the room.
      var left = centre > area.width / 2 ? centre - at.width / 2 - width - 8 : centre + at.width / 2 + 8;
      left = Math.max(0, Math.min(left, area.width - width));
      tip.style.left = left + 'px';
      tip.style.top = Math.max(0, at.top - area.top + 34) + 'px';
    }

    function hide(bin) {
      if (bin && shown !== bin) return;
      if (shown) shown.classList.remove('active');
      shown = null;
      tip.hidden = true;
    }

    function move(from, to) {
      var next = bins[Math.max(0, Math.min(bins.length - 1, to))];
      from.setAttribute('tabindex', '-1');
      next.setAttribute('tabindex', '0');
      next.focus();
    }

    bins.forEach(function (bin, i) {
      bin.addEventListener('pointerenter', function () { show(bin); });
      bin.addEventListener('pointerleave', function () { if (document.activeElement !== bin) hide(bin); });
      bin.addEventListener('focus', function () { show(bin); });
      bin.addEventListener('blur', function () { hide(bin); });
      bin.addEventListener('keydown', function (event) {
        if (event.key === 'ArrowRight') move(bin, i + 1);
        else if (event.key === 'ArrowLeft') move(bin, i - 1);
        else if (event.key === 'Home') move(bin, 0);
        else if (event.key === 'End') move(bin, bins.length - 1);
        else if (event.key === 'Escape') hide(bin);
        else return;
        event.preventDefault();
      });
    });
  }
  root.setAttribute('data-ready', 'true');
})();
`
