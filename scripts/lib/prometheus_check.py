#!/usr/bin/env python3
"""Checks of deploy/prometheus and deploy/grafana, used by scripts/prometheus-test.

  prometheus_check.py lint ALERTS ALERTS_TEST
      every alert has a severity (critical, warning, info), summary and action annotations, and a unit
      test case in which it fires.
  prometheus_check.py config REPO_CONFIG OUT TARGETS_FILE ALERTS
      writes the repo's prometheus.yml with a 1 s scrape and evaluation interval, its file_sd reading
      TARGETS_FILE and its rule file ALERTS (absolute): the shipped config, sped up for a test.
  prometheus_check.py live PROMETHEUS_URL DASHBOARD ALERTS METRICS_URL EXPECT_JSON
      against a running Prometheus that scrapes the daemons: the rules are loaded and evaluate without
      error, every Grafana panel query and variable query succeeds through the HTTP API, and each panel
      returns data (but the ones listed in MAY_BE_EMPTY); every metric name the alerts and the dashboard
      use is one the daemon exports (read from METRICS_URL); EXPECT_JSON says what the data must show.

Exits 1 with one line per problem.
"""

import json
import time
import re
import sys
import urllib.parse
import urllib.request

import yaml

SEVERITIES = {"critical", "warning", "info"}
# Panels that legitimately show nothing on a healthy test fleet, with the reason.
MAY_BE_EMPTY = {"Firing alerts": "no alert has been pending long enough to fire in a short test"}
# Names the queries use that are not the daemon's own: Prometheus' synthetic series.
SYNTHETIC = {"up", "ALERTS"}
PROMQL_WORDS = {
    "sum", "count", "by", "on", "or", "and", "unless", "without", "group_left", "group_right", "rate",
    "increase", "changes", "time", "vector", "histogram_quantile", "max_over_time", "absent", "le",
    "job", "instance", "state", "node_type", "path", "code", "reason", "result", "version", "pubkey",
    "alertname", "alertstate", "severity", "bool", "ignoring", "max", "min", "avg",
}

problems = []


def problem(text):
    problems.append(text)
    print("  FAIL " + text)


def lint(alerts_path, tests_path):
    alerts = yaml.safe_load(open(alerts_path))
    tests = yaml.safe_load(open(tests_path))
    names = []
    for group in alerts["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert")
            if not name:
                problem(f"{alerts_path}: a recording rule or unnamed rule: {rule}")
                continue
            names.append(name)
            severity = rule.get("labels", {}).get("severity")
            if severity not in SEVERITIES:
                problem(f"{name}: severity is {severity!r}, want one of {sorted(SEVERITIES)}")
            annotations = rule.get("annotations", {})
            for key in ("summary", "action"):
                if not str(annotations.get(key, "")).strip():
                    problem(f"{name}: no {key} annotation (say what happened and what to do)")
    if len(names) != len(set(names)):
        problem(f"{alerts_path}: an alert name is used twice: {sorted(names)}")
    fired = set()
    for case in tests["tests"]:
        for check in case.get("alert_rule_test", []):
            if check.get("exp_alerts"):
                fired.add(check["alertname"])
    for name in names:
        if name not in fired:
            problem(f"{name}: no test case in {tests_path} in which it fires")
    print(f"  {len(names)} alerts, each with severity, summary, action and a firing test case")
    return names


def write_config(repo_config, out, targets_file, alerts):
    config = yaml.safe_load(open(repo_config))
    jobs = [job for job in config["scrape_configs"] if job.get("job_name") == "dstack-backend"]
    if len(jobs) != 1:
        problem(f"{repo_config}: want exactly one scrape config with job_name dstack-backend, found {len(jobs)}")
        return
    job = jobs[0]
    if not job.get("file_sd_configs"):
        problem(f"{repo_config}: the dstack-backend job has no file_sd_configs (the Ansible play writes one)")
        return
    config["global"]["scrape_interval"] = "1s"
    config["global"]["evaluation_interval"] = "1s"
    job["scrape_interval"] = "1s"
    job["scrape_timeout"] = "1s"
    job["file_sd_configs"] = [{"files": [targets_file], "refresh_interval": "1s"}]
    config["rule_files"] = [alerts]
    with open(out, "w") as f:
        yaml.safe_dump(config, f)


def api(base, path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        body = json.load(error)
    except Exception as error:  # connection refused, timeout: say which request
        return {"status": "error", "error": f"{type(error).__name__}: {error}", "url": url}
    return body


def substitute(expr):
    """Grafana's variables as a dashboard with every job and instance selected would send them."""
    return (expr.replace("$__rate_interval", "15s").replace("$__interval", "5s")
            .replace("$job", "dstack-backend").replace("$instance", ".*"))


def metric_names(expr):
    """Identifiers that are metric names: not PromQL words, not label names, not quoted."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    bare = re.sub(r"\{[^}]*\}", "{}", bare)
    bare = re.sub(r"\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)", "", bare)
    bare = re.sub(r"\[[^\]]*\]", "", bare)
    return {
        name for name in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", bare)
        if name not in PROMQL_WORDS and not re.fullmatch(r"\d.*", name)
    }


def dashboard_queries(dashboard):
    queries = []
    for panel in dashboard["panels"]:
        for inner in [panel] + panel.get("panels", []):
            for target in inner.get("targets", []):
                queries.append((inner["title"], target["refId"], target["expr"]))
    return queries


def live(prometheus, dashboard_path, alerts_path, metrics_url, expect_path):
    dashboard = json.load(open(dashboard_path))
    expect = json.load(open(expect_path))
    alerts = yaml.safe_load(open(alerts_path))

    # 1. The rules loaded and evaluate.
    rules = api(prometheus, "/api/v1/rules")
    loaded = [r for g in rules.get("data", {}).get("groups", []) for r in g["rules"]]
    want = sum(len(g["rules"]) for g in alerts["groups"])
    if len(loaded) != want:
        problem(f"Prometheus loaded {len(loaded)} rules from alerts.yml, want {want}")
    for rule in loaded:
        if rule.get("health") != "ok":
            problem(f"rule {rule['name']}: health {rule.get('health')!r}: {rule.get('lastError', '')}")
    print(f"  {len(loaded)} alert rules loaded, all evaluating without error")

    # 2. Every metric name the alerts and the dashboard use is exported by the daemon.
    with urllib.request.urlopen(metrics_url, timeout=5) as response:
        exported_text = response.read().decode()
    exported = {line.split("{")[0].split(" ")[0] for line in exported_text.splitlines() if line and line[0] != "#"}
    used = set()
    for group in alerts["groups"]:
        for rule in group["rules"]:
            used |= metric_names(rule["expr"])
    queries = dashboard_queries(dashboard)
    for _, _, expr in queries:
        used |= metric_names(expr)
    for name in sorted(used - SYNTHETIC):
        if name not in exported:
            problem(f"metric {name} is used by the alerts or the dashboard but the daemon does not export it")
    print(f"  {len(used)} metric names used by the alerts and the dashboard, all exported by the daemon")

    # 3. Every panel query: instant and over the last minute.
    empty = []
    results = {}
    for title, ref, expr in queries:
        query = substitute(expr)
        instant = api(prometheus, "/api/v1/query", query=query)
        ranged = api(prometheus, "/api/v1/query_range", query=query, start=f"{time.time() - 60:.3f}",
                     end=f"{time.time():.3f}", step="1")
        for kind, answer in (("instant", instant), ("range", ranged)):
            if answer.get("status") != "success":
                problem(f"panel {title!r} {ref} ({kind}) failed: {answer.get('error')}: {query}")
        result = instant.get("data", {}).get("result", [])
        results[(title, ref)] = result
        if not result:
            empty.append(title)
    for title in sorted(set(empty)):
        if title not in MAY_BE_EMPTY:
            problem(f"panel {title!r} returned no data")
    print(f"  {len(queries)} panel queries succeeded (instant and range); empty: "
          f"{sorted(set(empty)) or 'none'} (allowed: {sorted(MAY_BE_EMPTY)})")

    # 4. Variable queries: label_values(metric{...}, label).
    for variable in dashboard["templating"]["list"]:
        if variable["type"] != "query":
            continue
        definition = substitute(variable["definition"])
        match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", definition)
        if not match:
            problem(f"variable {variable['name']}: not a label_values(metric, label) query: {definition}")
            continue
        answer = api(prometheus, f"/api/v1/label/{match.group(2)}/values", **{"match[]": match.group(1)})
        values = answer.get("data") or []
        wanted = expect["variables"].get(variable["name"], [])
        if answer.get("status") != "success" or not values:
            problem(f"variable {variable['name']}: {definition} gave {answer}")
        elif not set(wanted) <= set(values):
            problem(f"variable {variable['name']}: values {values}, want at least {wanted}")
    print("  variable queries answer with the job and every instance")

    # 5. The data says what the test fleet is.
    def series(title, ref="A"):
        return {json.dumps(r["metric"], sort_keys=True): float(r["value"][1]) for r in results.get((title, ref), [])}

    def check(title, ref, want):
        got = {tuple(sorted(json.loads(k).items())): v for k, v in series(title, ref).items()}
        want_items = {tuple(sorted(w["labels"].items())): w["value"] for w in want}
        if got != want_items:
            problem(f"panel {title!r} {ref}: got {got}, want {want_items}")

    for item in expect["panels"]:
        check(item["title"], item.get("ref", "A"), item["series"])
    print(f"  {len(expect['panels'])} panels show exactly the simulated fleet's values")

    for item in expect.get("seen_in_last_minute", []):
        query = substitute(item["query"])
        answer = api(prometheus, "/api/v1/query", query=f"max_over_time(({query})[2m:1s])")
        values = [float(r["value"][1]) for r in answer.get("data", {}).get("result", [])]
        if not values or max(values) < item["at_least"]:
            problem(f"{item['what']}: max over the test of {query} is {values}, want at least {item['at_least']}")
    print(f"  {len(expect.get('seen_in_last_minute', []))} events of the test (outage, rejection) visible in the history")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "lint" and len(sys.argv) == 4:
        lint(*sys.argv[2:])
    elif mode == "config" and len(sys.argv) == 6:
        write_config(*sys.argv[2:])
    elif mode == "live" and len(sys.argv) == 7:
        live(*sys.argv[2:])
    else:
        print(__doc__)
        return 2
    if problems:
        print(f"prometheus_check {mode}: {len(problems)} problem(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
