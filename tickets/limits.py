"""How large a ticket's values may be: the one place these numbers live.

The services enforce them for every way in (API, dashboard, admin, Slack, Help Scout);
forms and serializers read them too, only to tell people before a request is sent.
"""

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
# Canned responses (tickets/canned_responses.py): what their fields hold. A body leaves room
# for its placeholders' values and the agent's own words within one comment.
MAX_CANNED_TITLE_LENGTH = 100
MAX_CANNED_SHORTCUT_LENGTH = 30
MAX_CANNED_BODY_LENGTH = 10_000
