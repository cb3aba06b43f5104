"""The deployment examples in deploy/ stay in step with the command line: every command they run
is one `claimwatch` accepts, every bot shares the database and starts after the migration."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
import yaml

from bot.cli import build_parser

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
# ${NAME:-default} and ${NAME:?message} as Compose interpolates them, with example values.
EXAMPLE_VALUES = {"DISCORD_SHARD_COUNT": "2"}
SYSTEMD_INSTANCES = {"claimwatch-discord@.service": "0", "claimwatch-slack@.service": "8080"}
BINARY = "/opt/claimwatch/venv/bin/claimwatch"


def _interpolate(text: str) -> str:
    def value(found: re.Match[str]) -> str:
        name, default = found.group(1), found.group(3) or ""
        return EXAMPLE_VALUES.get(name, default)

    return re.sub(r"\$\{(\w+)(:[-?]([^}]*))?\}", value, text)


def _compose() -> dict[str, dict[str, object]]:
    services: dict[str, dict[str, object]] = yaml.safe_load(
        (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    )["services"]
    return services


def _accepted(argv: list[str]) -> None:
    build_parser().parse_args(argv)  # raises on anything claimwatch would refuse


def test_every_compose_service_runs_a_command_claimwatch_accepts() -> None:
    commands = {
        name: [_interpolate(str(arg)) for arg in service["command"]]  # type: ignore[attr-defined]
        for name, service in _compose().items()
        if "command" in service
    }

    assert commands["migrate"] == ["db", "upgrade"]
    for argv in commands.values():
        _accepted(argv)
    shards = sorted(
        argv[argv.index("--shard-ids") + 1] for argv in commands.values() if "discord" in argv
    )
    assert shards == [str(n) for n in range(int(EXAMPLE_VALUES["DISCORD_SHARD_COUNT"]))]


def test_every_compose_bot_shares_postgres_and_waits_for_the_migration() -> None:
    for name, service in _compose().items():
        if name in ("postgres", "migrate"):
            continue
        environment = service["environment"]
        assert isinstance(environment, dict)
        assert str(environment["DATABASE_URL"]).startswith("postgresql://"), name
        assert service["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }, name


@pytest.mark.parametrize("unit", sorted(p.name for p in (DEPLOY / "systemd").glob("*.service")))
def test_every_systemd_unit_runs_a_command_claimwatch_accepts(unit: str) -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(DEPLOY / "systemd" / unit, encoding="utf-8")
    exec_start = parser["Service"]["ExecStart"]
    instance = SYSTEMD_INSTANCES.get(unit, "")
    argv = _interpolate(exec_start.replace("%i", instance)).split()

    assert argv[0] == BINARY
    _accepted(argv[1:])
    assert parser["Service"]["EnvironmentFile"] == "/etc/claimwatch/claimwatch.env"


def _k8s_containers() -> dict[str, dict[str, object]]:
    documents = yaml.safe_load_all((DEPLOY / "k8s" / "claimwatch.yaml").read_text(encoding="utf-8"))
    containers: dict[str, dict[str, object]] = {}
    for document in documents:
        if document["kind"] in ("Job", "Deployment", "StatefulSet"):
            for container in document["spec"]["template"]["spec"]["containers"]:
                containers[document["kind"]] = container
    return containers


def test_every_kubernetes_workload_runs_a_command_claimwatch_accepts() -> None:
    containers = _k8s_containers()

    assert containers["Job"]["args"] == ["db", "upgrade"]
    _accepted(list(containers["Deployment"]["args"]))  # type: ignore[call-overload]
    # The StatefulSet's shell line, as the shell expands it in pod claimwatch-discord-0.
    [line] = containers["StatefulSet"]["args"]  # type: ignore[misc]
    expanded = line.replace('"$DISCORD_SHARD_COUNT"', "2").replace('"${HOSTNAME##*-}"', "0")
    exec_, binary, *argv = shlex.split(expanded)
    assert (exec_, binary) == ("exec", "claimwatch")
    _accepted(argv)
    for container in containers.values():
        assert container["envFrom"] == [{"secretRef": {"name": "claimwatch"}}]
