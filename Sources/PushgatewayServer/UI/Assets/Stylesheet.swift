// The web UI's stylesheet, served as `static/pushgateway.css`. Hand-written; no framework.

extension UIAssets {
    static let stylesheet = #"""
        :root {
          --pg-bg: #f4f5f7;
          --pg-card: #ffffff;
          --pg-border: #d9dde3;
          --pg-text: #1f2329;
          --pg-muted: #667085;
          --pg-nav: #1d2127;
          --pg-accent: #e6522c;
          --pg-job: #f2b233;
          --pg-instance: #2f6fdb;
          --pg-label: #138a8a;
          --pg-danger: #c9302c;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
          font-size: 15px;
          color: var(--pg-text);
          background: var(--pg-bg);
        }
        * { box-sizing: border-box; }
        body { margin: 0; }
        [hidden] { display: none !important; }

        .pg-nav {
          display: flex;
          align-items: center;
          gap: 4px;
          padding: 0 20px;
          min-height: 50px;
          background: var(--pg-nav);
        }
        .pg-nav a { color: #c9ced6; text-decoration: none; padding: 15px 12px; }
        .pg-nav a:hover, .pg-nav a:focus-visible { color: #ffffff; }
        .pg-nav .pg-brand { color: #ffffff; font-weight: 600; font-size: 17px; padding-left: 0; margin-right: 12px; }
        .pg-nav .pg-brand::before {
          content: "";
          display: inline-block;
          width: 10px;
          height: 10px;
          margin-right: 8px;
          border-radius: 50%;
          background: var(--pg-accent);
        }
        .pg-nav .pg-tab[aria-current="page"] { color: #ffffff; box-shadow: inset 0 -3px 0 var(--pg-accent); }

        .pg-pane { padding: 18px 20px 40px; max-width: 1400px; margin: 0 auto; }
        .pg-pane h2 { font-size: 18px; font-weight: 600; margin: 24px 0 10px; }
        .pg-pane h2:first-child { margin-top: 4px; }

        .pg-error {
          margin: 14px 20px 0;
          padding: 10px 14px;
          border: 1px solid #e4a5a3;
          border-radius: 6px;
          background: #fbeaea;
          color: #8a1f1b;
          white-space: pre-wrap;
          cursor: pointer;
        }

        .pg-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; margin-bottom: 14px; }
        #pg-filter {
          flex: 1 1 320px;
          max-width: 560px;
          padding: 7px 10px;
          font: inherit;
          border: 1px solid var(--pg-border);
          border-radius: 6px;
          background: #ffffff;
        }
        #pg-filter:focus { outline: 2px solid #9cbcf0; border-color: var(--pg-instance); }
        .pg-count { color: var(--pg-muted); }
        #pg-delete-all { margin-left: auto; }

        .pg-button {
          font: inherit;
          font-size: 13px;
          padding: 4px 10px;
          border: 1px solid var(--pg-border);
          border-radius: 5px;
          background: #ffffff;
          color: var(--pg-text);
          cursor: pointer;
        }
        .pg-button:hover { background: #eef0f3; }
        .pg-button.pg-danger { border-color: var(--pg-danger); background: var(--pg-danger); color: #ffffff; }
        .pg-button.pg-danger:hover { background: #a92824; }

        .pg-note { color: var(--pg-muted); }
        .pg-muted { color: var(--pg-muted); }
        .pg-error-text { color: var(--pg-danger); }

        .pg-group {
          background: var(--pg-card);
          border: 1px solid var(--pg-border);
          border-radius: 6px;
          margin-bottom: 6px;
          content-visibility: auto;
          contain-intrinsic-size: auto 44px;
        }
        .pg-group > b { margin: 8px 0 8px 8px; }
        .pg-group-header {
          display: flex;
          flex-wrap: wrap;
          align-items: center;
          gap: 6px;
          padding: 8px 12px;
          cursor: pointer;
          user-select: none;
        }
        .pg-group-header::before {
          content: "";
          width: 0;
          height: 0;
          margin-right: 4px;
          border-style: solid;
          border-width: 5px 0 5px 7px;
          border-color: transparent transparent transparent var(--pg-muted);
          transition: transform 0.1s;
        }
        .pg-open > .pg-group-header::before { transform: rotate(90deg); }
        .pg-group-header:hover { background: #f8f9fb; }
        .pg-group-header:focus-visible { outline: 2px solid #9cbcf0; outline-offset: -2px; }
        .pg-group-header .pg-delete-group { margin-left: auto; }
        .pg-group-body { border-top: 1px solid var(--pg-border); padding: 10px 12px; }

        .pg-badge, .pg-group > b {
          display: inline-block;
          padding: 2px 7px;
          border-radius: 4px;
          font-size: 12px;
          font-weight: 600;
          line-height: 1.5;
          color: #ffffff;
          background: var(--pg-label);
          white-space: pre-wrap;
          word-break: break-all;
        }
        .pg-job, .pg-group > b:first-child { background: var(--pg-job); color: #2b2100; }
        .pg-instance, .pg-group > b.i { background: var(--pg-instance); }
        .pg-failed {
          display: inline-block;
          padding: 2px 9px;
          border-radius: 10px;
          font-size: 12px;
          font-style: normal;
          font-weight: 600;
          color: #ffffff;
          background: var(--pg-danger);
        }

        .pg-family { border: 1px solid var(--pg-border); border-radius: 5px; margin-bottom: 6px; background: #fcfcfd; }
        .pg-family-header { padding: 7px 10px; cursor: pointer; }
        .pg-family[open] > .pg-family-header { border-bottom: 1px solid var(--pg-border); }
        .pg-family-name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 600; }
        .pg-type {
          display: inline-block;
          padding: 1px 6px;
          border-radius: 4px;
          font-size: 12px;
          color: #ffffff;
          background: #3c8d40;
        }
        .pg-help { color: var(--pg-text); margin-left: 4px; }
        .pg-time { color: var(--pg-muted); font-size: 13px; margin-left: 6px; }

        table { border-collapse: collapse; }
        .pg-samples { width: calc(100% - 20px); margin: 10px; background: #ffffff; }
        .pg-samples th, .pg-samples td, .pg-kv th, .pg-kv td, .pg-inner th, .pg-inner td {
          border: 1px solid var(--pg-border);
          padding: 5px 8px;
          text-align: left;
          vertical-align: top;
        }
        .pg-samples > thead th { background: #eef0f3; }
        .pg-samples > tbody > tr:nth-child(even) { background: #f8f9fb; }
        .pg-labels .pg-badge { margin: 1px 2px 1px 0; }
        .pg-value { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        .pg-inner th { font-weight: 500; font-family: system-ui, sans-serif; background: #f8f9fb; }
        .pg-exemplar { font-size: 12px; margin-top: 2px; }

        .pg-kv { background: #ffffff; min-width: 50%; }
        .pg-kv th { width: 260px; font-weight: 600; background: #f8f9fb; }
        .pg-kv td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }

        .pg-dialog {
          border: 1px solid var(--pg-border);
          border-radius: 8px;
          padding: 18px 20px;
          max-width: 460px;
          box-shadow: 0 10px 30px rgba(0, 0, 0, 0.25);
        }
        .pg-dialog::backdrop { background: rgba(20, 24, 30, 0.45); }
        .pg-dialog h2 { margin: 0 0 10px; font-size: 17px; }
        .pg-dialog p { word-break: break-all; }
        .pg-actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 16px; }
        """#
}
