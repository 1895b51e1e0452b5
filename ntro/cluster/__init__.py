"""Working with a Temporal cluster: the one connection, the one decision sender, and the
operations the CLI, the worker and scripts share.

Connecting::

    config = ClusterConfig.from_env()            # TEMPORAL_HOST, TEMPORAL_NAMESPACE, TLS, key,
    client = await connect(config)               # or the local dev server (NTRO_DEV_*)

Deciding (what the widgets, the inbox, the harness and ``ntro workflow approve`` all send)::

    await send_decision(client.get_workflow_handle(wid), {"action": "approve", ...})

Runs and schedules: :func:`start_run`, :func:`list_runs`, :func:`show_run`, :func:`decide`,
:func:`upload_document`, :func:`create_schedule` and friends; :func:`find_runbook` resolves a
slug to its bundle, workflow type and task queue.

The local dev server (:class:`DevServer`, what ``ntro dev-server`` runs) is here too, for the
notebook session and the server extension that start it.

Errors derive from :class:`ClusterError` and read as one line.
"""

from ntro._devserver import DevServer, DevServerError, DevServerStatus, running_servers
from ntro.cluster._config import (
    CALL_TIMEOUT,
    CONNECT_TIMEOUT_S,
    DEFAULT_DEV_DB,
    ClusterConfig,
    check_address,
)
from ntro.cluster._connect import (
    cluster_address,
    connect,
    connection_failure,
    describe_connect_failure,
    dev_server,
    is_unreachable,
    quiet_runtime,
)
from ntro.cluster._decisions import DECISION_ATTEMPTS, check_decision, send_decision
from ntro.cluster._errors import (
    ClusterError,
    ClusterUnreachable,
    ConfigError,
    DecisionError,
    DecisionNotSendable,
    DecisionRefused,
    DecisionUndelivered,
    GateNotOpen,
    IdentityError,
    RunbookNotFound,
    RunInputError,
    WorkflowNotFound,
)
from ntro.cluster._identity import Reviewer, resolve_reviewer
from ntro.cluster._periods import PLACEHOLDERS, fill_placeholders, placeholders_in
from ntro.cluster._runbooks import (
    RunbookRef,
    find_runbook,
    runbook_path,
    task_queue_of,
    validate_input,
    workflow_type_of,
)
from ntro.cluster._runs import (
    PERSON_KINDS,
    RunSummary,
    decide,
    list_runs,
    run_memo,
    show_run,
    start_run,
    upload_document,
    wait_result,
    waiting_for,
)
from ntro.cluster._scheduled import SCHEDULED_RUN, ScheduledRun, ScheduledRunInput
from ntro.cluster._schedules import (
    ScheduleNotFound,
    ScheduleSummary,
    check_cron,
    check_schedule,
    check_timezone,
    create_schedule,
    delete_schedule,
    list_schedules,
    pause_schedule,
    trigger_schedule,
    unpause_schedule,
)
from ntro.cluster._visibility import (
    PageTokenRefused,
    QueueWatch,
    ReviewFilter,
    ReviewFilterError,
    ReviewPage,
    count_reviews,
    gate_summary,
    list_reviews,
    parse_age,
    pending_reviews,
    register_search_attributes,
    row_pending,
    search_attribute_status,
    visibility_support,
)

__all__ = [
    "CALL_TIMEOUT",
    "CONNECT_TIMEOUT_S",
    "ClusterConfig",
    "ClusterError",
    "ClusterUnreachable",
    "ConfigError",
    "DECISION_ATTEMPTS",
    "DEFAULT_DEV_DB",
    "DevServer",
    "DevServerError",
    "DevServerStatus",
    "DecisionError",
    "DecisionNotSendable",
    "DecisionRefused",
    "DecisionUndelivered",
    "GateNotOpen",
    "IdentityError",
    "PERSON_KINDS",
    "PLACEHOLDERS",
    "PageTokenRefused",
    "QueueWatch",
    "ReviewFilter",
    "ReviewFilterError",
    "ReviewPage",
    "Reviewer",
    "RunInputError",
    "RunSummary",
    "RunbookNotFound",
    "RunbookRef",
    "SCHEDULED_RUN",
    "ScheduleNotFound",
    "ScheduleSummary",
    "ScheduledRun",
    "ScheduledRunInput",
    "WorkflowNotFound",
    "check_address",
    "check_cron",
    "check_decision",
    "check_schedule",
    "check_timezone",
    "cluster_address",
    "connect",
    "connection_failure",
    "create_schedule",
    "decide",
    "delete_schedule",
    "describe_connect_failure",
    "dev_server",
    "fill_placeholders",
    "find_runbook",
    "gate_summary",
    "is_unreachable",
    "count_reviews",
    "list_reviews",
    "list_runs",
    "list_schedules",
    "pause_schedule",
    "parse_age",
    "pending_reviews",
    "placeholders_in",
    "quiet_runtime",
    "register_search_attributes",
    "resolve_reviewer",
    "row_pending",
    "run_memo",
    "running_servers",
    "runbook_path",
    "search_attribute_status",
    "send_decision",
    "show_run",
    "start_run",
    "task_queue_of",
    "trigger_schedule",
    "unpause_schedule",
    "upload_document",
    "validate_input",
    "visibility_support",
    "wait_result",
    "waiting_for",
    "workflow_type_of",
]
