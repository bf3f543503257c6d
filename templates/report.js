// The report's only script (allowed by the page's CSP by its hash): sorting, filtering, searching and
// paging the tables, filtering the findings, copying fix commands, and revealing deep-link targets.
// It reads the page as rendered and never builds HTML from strings: captured text stays text.
(function () {
  'use strict';
  var PAGE = 100;

  function rowsOf(table) { return Array.prototype.slice.call(table.tBodies[0] ? table.tBodies[0].rows : []); }
  function cellText(row, i) { var c = row.cells[i]; return c ? (c.getAttribute('data-value') || c.textContent || '').trim() : ''; }

  function setUpTable(table) {
    var id = table.id;
    var state = { page: 0, sortBy: -1, dir: 1 };
    var search = document.querySelector('input[data-search-for="' + id + '"]');
    var filter = document.querySelector('select[data-filter-for="' + id + '"]');
    var pager = document.querySelector('.pager[data-pager-for="' + id + '"]');
    var count = document.querySelector('[data-count-for="' + id + '"]');

    function matching() {
      var q = search ? search.value.trim().toLowerCase() : '';
      var v = filter ? filter.value : '';
      return rowsOf(table).filter(function (r) {
        if (v && r.getAttribute('data-verdict') !== v) return false;
        return !q || r.textContent.toLowerCase().indexOf(q) !== -1;
      });
    }

    function render() {
      var all = rowsOf(table);
      var shown = matching();
      var pages = Math.max(1, Math.ceil(shown.length / PAGE));
      if (state.page >= pages) state.page = pages - 1;
      var from = state.page * PAGE;
      var visible = new Set(shown.slice(from, from + PAGE));
      all.forEach(function (r) { r.hidden = !visible.has(r); });
      if (count) count.textContent = shown.length === all.length ? all.length + ' rows' : shown.length + ' of ' + all.length + ' rows';
      if (pager) {
        pager.hidden = pages <= 1;
        pager.querySelector('[data-page-label]').textContent = 'page ' + (state.page + 1) + ' of ' + pages;
        pager.querySelector('[data-prev]').disabled = state.page === 0;
        pager.querySelector('[data-next]').disabled = state.page >= pages - 1;
      }
    }

    function sortBy(i, th) {
      state.dir = state.sortBy === i ? -state.dir : 1;
      state.sortBy = i;
      var numeric = th.getAttribute('data-sort') === 'number';
      var body = table.tBodies[0];
      var rows = rowsOf(table);
      rows.sort(function (a, b) {
        var x = cellText(a, i), y = cellText(b, i);
        var d = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
        return d * state.dir;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
      state.page = 0;
      render();
    }

    Array.prototype.forEach.call(table.tHead ? table.tHead.rows[0].cells : [], function (th, i) {
      if (!th.hasAttribute('data-sort')) return;
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(i, th); });
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(i, th); });
    });
    if (search) search.addEventListener('input', function () { state.page = 0; render(); });
    if (filter) filter.addEventListener('change', function () { state.page = 0; render(); });
    if (pager) {
      pager.querySelector('[data-prev]').addEventListener('click', function () { state.page--; render(); });
      pager.querySelector('[data-next]').addEventListener('click', function () { state.page++; render(); });
    }
    table.revealRow = function (row) {
      if (search) search.value = '';
      if (filter) filter.value = '';
      var index = rowsOf(table).indexOf(row);
      if (index >= 0) { state.page = Math.floor(index / PAGE); render(); }
    };
    render();
  }

  function setUpFindings() {
    var articles = Array.prototype.slice.call(document.querySelectorAll('#findings article.finding'));
    var buttons = Array.prototype.slice.call(document.querySelectorAll('.counts button[data-severity]'));
    var search = document.querySelector('input[data-search-for="findings"]');
    function apply() {
      var off = {};
      buttons.forEach(function (b) { if (b.getAttribute('aria-pressed') === 'false') off[b.getAttribute('data-severity')] = true; });
      var q = search ? search.value.trim().toLowerCase() : '';
      articles.forEach(function (a) {
        // The finding's own words (rule, title, subject, message), not the evidence's context lines.
        var text = (a.getAttribute('data-text') || a.textContent).toLowerCase();
        a.hidden = !!off[a.getAttribute('data-severity')] || (q !== '' && text.indexOf(q) === -1);
      });
    }
    buttons.forEach(function (b) {
      b.addEventListener('click', function () { b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'false' ? 'true' : 'false'); apply(); });
    });
    if (search) search.addEventListener('input', apply);
  }

  function setUpCopy() {
    Array.prototype.forEach.call(document.querySelectorAll('button.copy'), function (b) {
      b.addEventListener('click', function () {
        var pre = b.parentNode.querySelector('pre');
        var text = pre ? pre.textContent : '';
        function done(ok) { b.textContent = ok ? 'copied' : 'select and copy'; setTimeout(function () { b.textContent = 'copy'; }, 1500); }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
        } else {
          var range = document.createRange();
          range.selectNodeContents(pre);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          var ok = false;
          try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
          done(ok);
        }
      });
    });
  }

  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (!el) return;
    Array.prototype.forEach.call(document.querySelectorAll('.target'), function (t) { t.classList.remove('target'); });
    if (el.tagName === 'TR') {
      var table = el.closest('table');
      if (table && table.revealRow) table.revealRow(el);
    }
    if (el.tagName === 'ARTICLE') el.hidden = false;
    for (var p = el.parentNode; p; p = p.parentNode) if (p.tagName === 'DETAILS') p.open = true;
    el.classList.add('target');
    el.scrollIntoView({ block: 'center' });
  }

  Array.prototype.forEach.call(document.querySelectorAll('table[data-table]'), setUpTable);
  setUpFindings();
  setUpCopy();
  window.addEventListener('hashchange', reveal);
  reveal();
})();
