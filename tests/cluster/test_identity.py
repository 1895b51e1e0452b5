"""Who decides: never anonymous, in the same order for the kernel, the server and the CLI."""

from __future__ import annotations

import pytest

from ntro.cluster import IdentityError, resolve_reviewer


def test_the_order_is_argument_signed_in_user_setting_hub_user_system_user() -> None:
    env = {"NTRO_REVIEWER": "nora", "JUPYTERHUB_USER": "hub", "USER": "sys"}
    assert resolve_reviewer("ann", signed_in="jo", environ=env) == ("ann", "the argument")
    # A login names a person; NTRO_REVIEWER is one name for everyone on that server.
    assert resolve_reviewer(signed_in="jo", environ=env) == ("jo", "the signed-in Jupyter user")
    assert resolve_reviewer(environ=env).name == "nora"
    assert resolve_reviewer(signed_in="jo", environ={"USER": "sys"}).name == "jo"
    assert resolve_reviewer(environ={"JUPYTERHUB_USER": "hub", "USER": "sys"}).name == "hub"
    assert resolve_reviewer(environ={"LOGNAME": "log"}).source == "the system user (LOGNAME)"


def test_a_token_login_is_not_a_reviewer() -> None:
    assert resolve_reviewer(signed_in="Anonymous Io", environ={"USER": "sys"}).name == "sys"


def test_no_identity_refuses_instead_of_a_made_up_name() -> None:
    with pytest.raises(IdentityError, match="decisions are not sent without a name"):
        resolve_reviewer(signed_in="Anonymous Io", environ={})
    with pytest.raises(IdentityError, match="empty"):
        resolve_reviewer("  ", environ={})


def test_a_host_names_whose_environment_was_read() -> None:
    reviewer = resolve_reviewer(
        signed_in="Anonymous Io", environ={"USER": "root"}, host="the Jupyter server"
    )
    assert reviewer == ("root", "USER of the Jupyter server")
