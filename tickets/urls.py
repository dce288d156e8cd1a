from django.urls import path

from . import agent_views, attachment_views, macro_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.ticket_list, name="ticket-list"),
    path("bulk/", views.ticket_bulk, name="ticket-bulk"),
    path("next/", views.ticket_take_next, name="ticket-take-next"),
    path("statistics/", views.statistics, name="statistics"),
    path("settings/agents/", agent_views.settings_page, name="agent-settings"),
    path("settings/agents/new/", agent_views.agent_create, name="agent-create"),
    path("settings/agents/<int:pk>/", agent_views.agent_edit, name="agent-edit"),
    path("settings/agents/<int:pk>/availability/", agent_views.agent_availability, name="agent-availability"),
    path("settings/teams/new/", agent_views.team_create, name="team-create"),
    path("settings/teams/<int:pk>/", agent_views.team_edit, name="team-edit"),
    path("settings/teams/<int:pk>/delete/", agent_views.team_delete, name="team-delete"),
    path("tickets/new/", views.ticket_create, name="ticket-create"),
    path("tickets/<int:pk>/row/", views.ticket_row, name="ticket-row"),
    path("tickets/<str:pk>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<str:pk>/live/", views.ticket_live, name="ticket-live"),
    path("tickets/<str:pk>/update/", views.ticket_update, name="ticket-update"),
    path("tickets/<str:pk>/comment/", views.ticket_comment, name="ticket-comment"),
    path("tickets/<str:pk>/apply-macro/", macro_views.ticket_apply_macro, name="ticket-apply-macro"),
    path("attachments/<int:pk>/", attachment_views.attachment_download, name="attachment-download"),
]
