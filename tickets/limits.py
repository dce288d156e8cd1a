"""How large a ticket's values may be: the one place these numbers live.

The services enforce them for every way in (API, dashboard, admin, Slack, Help Scout);
forms and serializers read them too, only to tell people before a request is sent.
"""

from django.conf import settings

MAX_SUBJECT_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 20_000
MAX_COMMENT_LENGTH = 20_000
MAX_NOTE_LENGTH = 5_000  # a resolution note
MAX_EMAIL_LENGTH = 254  # what the column holds; e-mail validators accept up to 320
MAX_CUSTOMER_NAME_LENGTH = 100
MAX_CUSTOMER_USER_ID_LENGTH = 64
MAX_ASSIGNEE_LENGTH = 100
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_BULK_TICKETS = 1000  # tickets one bulk change may name
# Custom ticket fields (tickets/custom_fields.py). A key fits the audit's field column (40
# characters) after "customFields.".
MAX_CUSTOM_FIELDS = 50
MAX_CUSTOM_FIELD_KEY_LENGTH = 27
MAX_CUSTOM_FIELD_LABEL_LENGTH = 100
MAX_CUSTOM_FIELD_CHOICES = 100
MAX_CUSTOM_FIELD_CHOICE_LENGTH = 100
MAX_CUSTOM_FIELD_TEXT_LENGTH = 1000
# Numbers stay within what a float holds exactly as a whole number, so the API, the
# PostgreSQL CSV writer and Python's agree on every digit.
MAX_CUSTOM_FIELD_NUMBER = 10**15
# Canned responses (tickets/canned_responses.py): what their fields hold. A body leaves room
# for its placeholders' values and the agent's own words within one comment.
MAX_CANNED_TITLE_LENGTH = 100
MAX_CANNED_SHORTCUT_LENGTH = 30
MAX_CANNED_BODY_LENGTH = 10_000

# Attachments. The largest file is the ATTACHMENT_MAX_BYTES setting (default 20 MB), read
# through `attachment_max_bytes()` so that it can differ per installation.
MAX_ATTACHMENTS = 10  # files one comment (or one new ticket) may carry
MAX_ATTACHMENT_FILENAME_LENGTH = 255
# Files that run when opened: refused whatever their declared type, by the name's last
# extension (what the system runs it by: "invoice.pdf.exe" is refused, "v1.com.txt" is not)
# or by the type sent with them.
REFUSED_ATTACHMENT_EXTENSIONS = frozenset(
    {
        "apk", "app", "appx", "bat", "cmd", "com", "cpl", "dll", "dmg", "exe", "gadget", "hta", "inf",
        "ins", "isp", "jar", "js", "jse", "lnk", "msc", "msi", "msp", "mst", "pif", "pkg", "ps1", "ps1xml",
        "ps2", "psc1", "psm1", "reg", "scf", "scr", "sct", "sh", "so", "sys", "vb", "vbe", "vbs", "ws", "wsc",
        "wsf", "wsh", "xbap",
    }
)  # fmt: skip
REFUSED_ATTACHMENT_CONTENT_TYPES = frozenset(
    {
        "application/hta",
        "application/java-archive",
        "application/javascript",
        "application/vnd.android.package-archive",
        "application/vnd.microsoft.portable-executable",
        "application/x-bat",
        "application/x-dosexec",
        "application/x-executable",
        "application/x-msdos-program",
        "application/x-msdownload",
        "application/x-msi",
        "application/x-ms-installer",
        "application/x-sh",
        "application/x-shellscript",
        "text/javascript",
        "text/vbscript",
        "text/x-shellscript",
        "text/x-sh",
    }
)


def attachment_max_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_BYTES)
