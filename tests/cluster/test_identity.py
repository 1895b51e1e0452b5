"""Who decides: never anonymous, in the same order for the kernel, the server and the CLI."""

from __future__ import annotations

import pytest

from ntro.cluster import IdentityError, resolve_reviewer


def test_the_order_is_argument_setting_signed_in_user_hub_user_system_user() -> None:
    env = {"NTRO_REVIEWER": "nora", "JUPYTERHUB_USER": "hub", "USER": "sys"}
    assert resolve_reviewer("ann", signed_in="jo", environ=env) == ("ann", "the argument")
    assert resolve_reviewer(signed_in="jo", environ=env).name == "nora"
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
