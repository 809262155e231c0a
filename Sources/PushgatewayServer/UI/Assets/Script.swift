// The web UI's script, served as `static/pushgateway.js`. Plain JavaScript, no framework. It completes the
// compact group lines the server writes (see UIPage.swift), fetches a group's families when it is opened,
// filters, deletes through the ordinary API after a confirmation, and switches tabs. Every URL is relative to
// the page, so the route prefix and the external URL need no configuration here.

extension UIAssets {
    static let script = #"""
        'use strict';
        (function () {
          var OPEN_KEY = 'pushgateway.openGroups';
          var groupsEl, filterEl, errorEl, confirmEl;
          var pendingAction = null;
          var searchText = new Map();
          var byPath = new Map();

          function byId(id) { return document.getElementById(id); }

          // A fixed array of the group elements: indexing the live `children` collection while the groups
          // change is quadratic in Chromium (6 s instead of 0.2 s for 10,000 groups).
          function groupElements() { return Array.prototype.slice.call(groupsEl.children); }

          // Errors are shown, never swallowed: the server's answer goes into #pg-error as text.
          function showError(message) {
            errorEl.textContent = message;
            errorEl.hidden = false;
            errorEl.scrollIntoView({ block: 'nearest' });
          }

          function describe(response, text) {
            var status = response.status + (response.statusText ? ' ' + response.statusText : '');
            text = (text || '').trim();
            return text ? status + ': ' + text : status;
          }

          function request(url, options) {
            return fetch(url, options).then(function (response) {
              return response.text().then(function (text) {
                if (!response.ok) { throw new Error(describe(response, text)); }
                return text;
              });
            });
          }

          // The grouping labels: the header's badges, not those of the families shown in the body.
          function groupLabel(group) {
            var badges = group.firstElementChild.querySelectorAll('.pg-badge');
            var parts = [];
            for (var i = 0; i < badges.length; i++) { parts.push(badges[i].textContent); }
            return '{' + parts.join(', ') + '}';
          }

          // Server line: <div class=pg-group data-group=… data-n=…><b>…</b>…<em class=pg-failed>…</em></div>
          function completeGroup(group, names) {
            var header = document.createElement('div');
            header.className = 'pg-group-header';
            header.setAttribute('role', 'button');
            header.setAttribute('aria-expanded', 'false');
            header.tabIndex = 0;
            var search = [];
            while (group.firstChild) {
              var child = group.firstChild;
              if (child.nodeName === 'B') {
                var kind = child.className === 'i' ? 'pg-instance' : child.className === 'o' ? 'pg-label' : 'pg-job';
                child.className = 'pg-badge ' + kind;
                search.push(child.textContent);
              }
              header.appendChild(child);
            }
            var button = document.createElement('button');
            button.type = 'button';
            button.className = 'pg-delete-group pg-button pg-danger';
            button.textContent = 'Delete Group';
            header.appendChild(button);
            var body = document.createElement('div');
            body.className = 'pg-group-body';
            body.hidden = true;
            group.appendChild(header);
            group.appendChild(body);
            group.setAttribute('data-names', names);
            search.push(names);
            searchText.set(group, search.join(' ').toLowerCase());
            byPath.set(group.getAttribute('data-group'), group);
          }

          function completeGroups() {
            var lists = JSON.parse(byId('pg-names').textContent);
            var current = 0;
            var groups = groupElements();
            for (var i = 0; i < groups.length; i++) {
              var n = groups[i].getAttribute('data-n');
              if (n !== null) { current = Number(n); }
              completeGroup(groups[i], lists[current] || '');
            }
          }

          function openPaths() {
            try { return JSON.parse(sessionStorage.getItem(OPEN_KEY) || '[]'); } catch (e) { return []; }
          }

          function rememberOpen(path, open) {
            var paths = openPaths().filter(function (p) { return p !== path; });
            if (open) { paths.push(path); }
            try { sessionStorage.setItem(OPEN_KEY, JSON.stringify(paths)); } catch (e) { /* storage full or off */ }
          }

          function loadGroup(group) {
            var body = group.lastElementChild;
            if (!body.firstChild) {
              var loading = document.createElement('p');
              loading.className = 'pg-note';
              loading.textContent = 'Loading…';
              body.appendChild(loading);
            }
            request('ui/group/' + group.getAttribute('data-group'), { cache: 'no-store' }).then(function (html) {
              // Rendered and escaped by the server.
              body.innerHTML = html;
            }).catch(function (error) {
              body.textContent = '';
              showError('Loading the group ' + groupLabel(group) + ' failed: ' + error.message);
            });
          }

          function setOpen(group, open) {
            var header = group.firstElementChild;
            group.classList.toggle('pg-open', open);
            header.setAttribute('aria-expanded', String(open));
            group.lastElementChild.hidden = !open;
            if (open) { loadGroup(group); }
          }

          function toggle(group) {
            var open = !group.classList.contains('pg-open');
            setOpen(group, open);
            rememberOpen(group.getAttribute('data-group'), open);
          }

          function updateCounts() {
            var groups = groupElements();
            var total = groups.length;
            var shown = 0;
            for (var i = 0; i < total; i++) { if (!groups[i].hidden) { shown++; } }
            var noun = total === 1 ? ' group' : ' groups';
            byId('pg-count').textContent = shown === total ? total + noun : shown + ' of ' + total + noun;
            var deleteAll = byId('pg-delete-all');
            if (deleteAll) {
              deleteAll.textContent = 'Delete All ' + total + ' Groups';
              deleteAll.hidden = total === 0;
            }
            byId('pg-empty').hidden = total !== 0;
          }

          function removeGroup(group) {
            rememberOpen(group.getAttribute('data-group'), false);
            searchText.delete(group);
            byPath.delete(group.getAttribute('data-group'));
            group.remove();
            updateCounts();
          }

          function applyFilter() {
            var terms = filterEl.value.toLowerCase().split(/\s+/).filter(Boolean);
            var groups = groupElements();
            for (var i = 0; i < groups.length; i++) {
              var text = searchText.get(groups[i]) || '';
              groups[i].hidden = !terms.every(function (term) { return text.indexOf(term) !== -1; });
            }
            updateCounts();
          }

          function confirmThen(text, action) {
            byId('pg-confirm-text').textContent = text;
            pendingAction = action;
            if (typeof confirmEl.showModal === 'function') { confirmEl.showModal(); } else { confirmEl.setAttribute('open', ''); }
          }

          function closeConfirm() {
            if (typeof confirmEl.close === 'function') { confirmEl.close(); } else { confirmEl.removeAttribute('open'); }
          }

          function deleteGroup(group) {
            var label = groupLabel(group);
            confirmThen('Delete all metrics of the group ' + label + '?', function () {
              request('metrics/' + group.getAttribute('data-group'), { method: 'DELETE' }).then(function () {
                removeGroup(group);
              }).catch(function (error) {
                showError('Deleting the group ' + label + ' failed: ' + error.message);
              });
            });
          }

          function deleteAll() {
            var total = groupsEl.children.length;
            confirmThen('Delete all ' + total + ' groups? This removes every pushed metric.', function () {
              request('api/v1/admin/wipe', { method: 'PUT' }).then(function () {
                while (groupsEl.firstChild) { groupsEl.firstChild.remove(); }
                searchText.clear();
                byPath.clear();
                try { sessionStorage.removeItem(OPEN_KEY); } catch (e) { /* storage off */ }
                updateCounts();
              }).catch(function (error) {
                showError('Deleting all groups failed: ' + error.message);
              });
            });
          }

          function showTab() {
            var status = location.hash === '#status';
            byId('pg-metrics').hidden = status;
            byId('pg-status').hidden = !status;
            var tabs = { 'pg-tab-metrics': !status, 'pg-tab-status': status };
            Object.keys(tabs).forEach(function (id) {
              if (tabs[id]) { byId(id).setAttribute('aria-current', 'page'); } else { byId(id).removeAttribute('aria-current'); }
            });
          }

          function start() {
            groupsEl = byId('pg-groups');
            filterEl = byId('pg-filter');
            errorEl = byId('pg-error');
            confirmEl = byId('pg-confirm');
            completeGroups();

            groupsEl.addEventListener('click', function (event) {
              var group = event.target.closest('.pg-group');
              if (!group) { return; }
              if (event.target.closest('.pg-delete-group')) {
                event.stopPropagation();
                deleteGroup(group);
              } else if (event.target.closest('.pg-group-header')) {
                toggle(group);
              }
            });
            groupsEl.addEventListener('keydown', function (event) {
              if ((event.key === 'Enter' || event.key === ' ') && event.target.classList.contains('pg-group-header')) {
                event.preventDefault();
                toggle(event.target.parentElement);
              }
            });

            // Filtering is local, debounced while typing; 'change' also catches a cleared field (WebDriver's
            // clear fires no 'input').
            var timer = null;
            var scheduleFilter = function () {
              clearTimeout(timer);
              timer = setTimeout(applyFilter, 120);
            };
            filterEl.addEventListener('input', scheduleFilter);
            filterEl.addEventListener('change', scheduleFilter);
            filterEl.addEventListener('search', scheduleFilter);

            byId('pg-confirm-yes').addEventListener('click', function () {
              var action = pendingAction;
              pendingAction = null;
              closeConfirm();
              if (action) { action(); }
            });
            byId('pg-confirm-no').addEventListener('click', function () {
              pendingAction = null;
              closeConfirm();
            });
            confirmEl.addEventListener('cancel', function () { pendingAction = null; });

            var deleteAllButton = byId('pg-delete-all');
            if (deleteAllButton) { deleteAllButton.addEventListener('click', deleteAll); }
            errorEl.addEventListener('click', function () { errorEl.hidden = true; });

            window.addEventListener('hashchange', showTab);
            showTab();

            openPaths().forEach(function (path) {
              var group = byPath.get(path);
              if (group) { setOpen(group, true); }
            });
            if (filterEl.value) { applyFilter(); }
          }

          if (document.readyState === 'loading') {
            document.addEventListener('DOMContentLoaded', start);
          } else {
            start();
          }
        })();
        """#
}
