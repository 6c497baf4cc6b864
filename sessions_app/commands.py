"""What a page sends, read: a command's fields with their types checked, before the rules see
it (``live.apply``). The socket (``consumers``) and the POST fallback
(``views.session.session_command``) both read it here.
"""

import re
from collections.abc import Mapping

from . import flow

INT_FIELDS = ("person", "subject", "n", "index", "delta", "action", "minutes")
TEXT_FIELDS = ("keyword", "text", "note", "status", "reason", "sign", "due", "role")
BOOL_FIELDS = ("urgent", "taken", "absent", "keep", "new_subject")
# Subject ids, in order: a ballot (``vote``), a consensus (``choose``). As JSON, a list of
# whole numbers; as a form posts it, the numbers separated by spaces or commas.
LIST_FIELDS = ("subjects", "order")
LIST_MAX = 100
# Fields read otherwise by one command: ``set_role``'s "subject" says whether the role is for
# the subject in progress (a yes or no, not a subject's id), its "person" may be empty (the
# role is held by nobody).
ROLE_FLAGS = ("subject",)
COMMAND_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
# The whole numbers a page's script holds exactly: ids, indexes, versions.
INT_LIMIT = 2**53 - 1
INTEGER = re.compile(r"-?[0-9]{1,64}")
DIGITS = re.compile(r"[0-9]{1,64}")
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
# A yes or no as a form posts it ("true"/"false" from hx-vals, "on" from a checkbox).
YES_NO: dict[str, bool] = {"1": True, "true": True, "on": True, "yes": True,
          "0": False, "false": False, "off": False, "no": False, "": False}


def parse(data: Mapping[str, object]) -> tuple[dict[str, object], int | None, str]:
    """The command a page sent (form fields or a socket message), with types checked.

    Returns ``(command, expected_version, command_id)``; raises FlowError. Values may be
    strings, as a form posts them, or JSON numbers and booleans. Any other JSON (a list,
    an object, a fraction, NaN) is refused here, whatever the field: a member's socket
    sends any JSON it likes, and the answer must be a refusal, not a traceback.
    """
    kind = data.get("type", "")
    if not isinstance(kind, str) or kind not in flow.COMMANDS or kind == "seat":
        # "seat" takes a whole order: the page moves one person at a time or shuffles.
        raise flow.FlowError("unknown_command")
    command: dict[str, object] = {"type": kind}
    role = kind == "set_role"
    for key in INT_FIELDS:
        if role and key in ROLE_FLAGS:
            continue
        if role and key == "person" and data.get(key) in (None, ""):
            if key in data:
                command[key] = None  # nobody holds the role
            continue
        if key in data:
            value = _integer(data[key], signed=True)
            if value is None:
                error = {"person": "bad_person", "minutes": "bad_input"}.get(key, "unknown_subject")
                raise flow.FlowError(error)
            command[key] = value
    for key in TEXT_FIELDS:
        if key in data:
            command[key] = _text(data[key], flow.KEYWORD_MAX if key == "keyword" else flow.TEXT_MAX)
    for key in BOOL_FIELDS + (ROLE_FLAGS if role else ()):
        if key in data:
            flag = data[key]
            if isinstance(flag, str):
                flag = YES_NO.get(flag.lower())
            if not isinstance(flag, bool):
                raise flow.FlowError("bad_input")
            command[key] = flag
    for key in LIST_FIELDS:
        if key in data:
            command[key] = _integers(data[key])
    version = data.get("version")
    expected = None
    if version is not None and version != "":
        # A whole number, not negative: 4.5 or true must not pass for version 4 or 1.
        expected = _integer(version, signed=False)
        if expected is None:
            raise flow.FlowError("bad_input")
    command_id = data.get("command_id")
    if command_id is None or command_id == "":
        command_id = ""
    elif not (isinstance(command_id, str) and COMMAND_ID.fullmatch(command_id)):
        raise flow.FlowError("bad_input")
    return command, expected, command_id


def _integer(value: object, *, signed: bool) -> int | None:
    """A whole number sent as JSON or as a form's digits, or None. Not a bool (True is 1 to
    Python), not a float (4.5 would be read as 4), not Unicode digits or spaces that ``int``
    accepts, and within what a page's script holds exactly."""
    if isinstance(value, str):
        if not (INTEGER if signed else DIGITS).fullmatch(value):
            return None
        value = int(value)
    elif isinstance(value, bool) or not isinstance(value, int):
        return None
    if abs(value) > INT_LIMIT or (value < 0 and not signed):
        return None
    return value


def _integers(value: object) -> list[int]:
    """Subject ids as a page sends them: a JSON list of whole numbers, or a form's string of
    numbers separated by spaces or commas (empty: none). At most ``LIST_MAX``."""
    items: list[object]
    if isinstance(value, str):
        if len(value) > LIST_MAX * 22:
            raise flow.FlowError("bad_subject")
        items = list(value.replace(",", " ").split())
    elif isinstance(value, list):
        items = value
    else:
        raise flow.FlowError("bad_subject")
    numbers = [_integer(item, signed=True) for item in items[: LIST_MAX + 1]]
    if len(items) > LIST_MAX or any(n is None for n in numbers):
        raise flow.FlowError("bad_subject")
    return [n for n in numbers if n is not None]


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str) or UNSTORABLE.search(value):
        # NUL: PostgreSQL's text refuses it; a lone surrogate (JSON's "\ud800"): no
        # database encodes it. Either would fail in the middle of the command's transaction.
        raise flow.FlowError("bad_text")
    if len(value) > 10 * limit:
        # Refused before anything else looks at it; the rules check the real limit.
        raise flow.FlowError("text_too_long", limit=limit)
    return value
