"""The Kubernetes example (deploy/triglot.yaml) parses, and what it tells `triglot serve` is what serve accepts: the
container's command goes through the CLI's own parser, and its ports, probes, grace period, resources and volumes
agree with those flags."""
from __future__ import annotations

from typing import Any

import pytest
import yaml

from conftest import ROOT
from triglot.cli import build_parser

MANIFEST = ROOT / "deploy" / "triglot.yaml"


@pytest.fixture(scope="module")
def documents() -> dict[str, Any]:
    docs = list(yaml.safe_load_all(MANIFEST.read_text(encoding="utf-8")))
    assert all(doc.get("apiVersion") and doc.get("kind") and doc["metadata"].get("name") for doc in docs)
    kinds = [doc["kind"] for doc in docs]
    assert len(set(kinds)) == len(kinds)
    return {doc["kind"]: doc for doc in docs}


@pytest.fixture(scope="module")
def container(documents) -> dict[str, Any]:
    (only,) = documents["Deployment"]["spec"]["template"]["spec"]["containers"]
    return only


@pytest.fixture(scope="module")
def serve(container):
    command = container["command"]
    assert command[:2] == ["triglot", "serve"]
    try:
        args = build_parser().parse_args(command[1:])
    except SystemExit:
        pytest.fail(f"triglot serve does not accept {command[2:]}")
    return args


def ports(container) -> dict[str, int]:
    return {p["name"]: p["containerPort"] for p in container["ports"]}


def test_the_listen_and_metrics_flags_are_the_containers_ports(serve, container):
    assert serve.listen == f"0.0.0.0:{ports(container)['grpc']}"
    assert serve.insecure_listen  # plaintext on a non-loopback address needs it, or the server refuses to start
    assert serve.metrics_port == ports(container)["metrics"] and serve.metrics_host == "0.0.0.0"


def test_every_probe_asks_the_grpc_health_service_on_the_grpc_port(container):
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == ports(container)["grpc"], probe
        assert "service" not in container[probe]["grpc"]  # "": the whole server, which the server reports


def test_draining_fits_the_grace_period_and_liveness_does_not_kill_a_draining_pod(documents, serve, container):
    pod = documents["Deployment"]["spec"]["template"]["spec"]
    assert serve.grace < pod["terminationGracePeriodSeconds"]
    liveness = container["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] > serve.grace


def test_workers_match_the_cpu_request_and_models_are_mounted_read_only(documents, serve, container):
    assert serve.workers == int(container["resources"]["requests"]["cpu"])
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == serve.models]
    assert mount["readOnly"] is True
    (volume,) = [v for v in documents["Deployment"]["spec"]["template"]["spec"]["volumes"]
                 if v["name"] == mount["name"]]
    assert volume["persistentVolumeClaim"]["readOnly"] is True
    assert volume["persistentVolumeClaim"]["claimName"] == documents["PersistentVolumeClaim"]["metadata"]["name"]


def test_the_service_is_headless_and_selects_the_pods_on_their_grpc_port(documents, container):
    service = documents["Service"]["spec"]
    assert service["clusterIP"] == "None"  # DNS answers every pod: clients balance per call
    labels = documents["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= labels.items()
    assert documents["Deployment"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    grpc_port = next(p for p in service["ports"] if p["name"] == "grpc")
    assert grpc_port["targetPort"] == "grpc" and "grpc" in ports(container)
    budget = documents["PodDisruptionBudget"]["spec"]
    assert budget["selector"]["matchLabels"].items() <= labels.items()
    assert budget["minAvailable"] < documents["Deployment"]["spec"]["replicas"]
