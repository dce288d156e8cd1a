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
