"""Reading the cluster settings: one parse of the environment for every part of ntro."""

from __future__ import annotations

from pathlib import Path

import pytest

from ntro.cluster import ClusterConfig, ConfigError


def test_no_address_means_the_local_dev_server_with_its_ports(tmp_path: Path) -> None:
    config = ClusterConfig.from_env(
        {"NTRO_DEV_DB": "state/t.db", "NTRO_DEV_PORT": "7400", "NTRO_DEV_UI_PORT": "8400"},
        root_dir=tmp_path,
    )
    assert config.mode == "local"
    assert (config.dev_db, config.dev_port, config.dev_ui_port) == (
        tmp_path / "state" / "t.db",
        7400,
        8400,
    )
    assert "local dev server" in config.describe()


def test_a_cluster_with_an_api_key_uses_tls_and_never_shows_the_key() -> None:
    config = ClusterConfig.from_env(
        {
            "TEMPORAL_HOST": "ns.tmprl.cloud:7233",
            "TEMPORAL_NAMESPACE": "finance",
            "TEMPORAL_API_KEY": "sekret-key",
        }
    )
    assert (config.address, config.namespace, config.tls) == (
        "ns.tmprl.cloud:7233",
        "finance",
        True,
    )
    assert "sekret" not in repr(config) and "sekret" not in config.describe()
    assert config.describe() == (
        "the Temporal cluster at ns.tmprl.cloud:7233 (namespace finance, TLS + API key)"
    )


def test_mutual_tls_material_is_read_from_files_and_hidden(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_bytes(b"-----BEGIN CERTIFICATE-----cert")
    key.write_bytes(b"-----BEGIN PRIVATE KEY-----key")
    config = ClusterConfig.from_env(
        {
            "TEMPORAL_HOST": "h:7233",
            "TEMPORAL_TLS_CERT_PATH": str(cert),
            "TEMPORAL_TLS_KEY_PATH": str(key),
        }
    )
    assert config.tls and config.tls_key == key.read_bytes()
    assert "PRIVATE" not in repr(config) and "CERTIFICATE" not in repr(config)
    with pytest.raises(ConfigError, match="needs both a client certificate and its key"):
        ClusterConfig.from_env({"TEMPORAL_HOST": "h:7233", "TEMPORAL_TLS_CERT_PATH": str(cert)})
    with pytest.raises(ConfigError, match="cannot be read"):
        ClusterConfig().with_options(tls_ca_path=tmp_path / "missing.pem")


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"NTRO_DEV_PORT": "seventy"}, "NTRO_DEV_PORT"),
        ({"NTRO_DEV_UI_PORT": "70000"}, "NTRO_DEV_UI_PORT"),
        ({"TEMPORAL_HOST": "no-port-here"}, "TEMPORAL_HOST"),
        ({"TEMPORAL_TLS": "maybe"}, "TEMPORAL_TLS"),
    ],
)
def test_a_setting_that_does_not_parse_is_named(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError, match=names):
        ClusterConfig.from_env(env)


def test_options_override_the_environment() -> None:
    base = ClusterConfig.from_env({"TEMPORAL_HOST": "a:1", "TEMPORAL_NAMESPACE": "x"})
    config = base.with_options(address="b:2", namespace="y", tls=True)
    assert (config.address, config.namespace, config.tls) == ("b:2", "y", True)
    with pytest.raises(ConfigError, match="--address 'b' is not host:port"):
        base.with_options(address="b")
