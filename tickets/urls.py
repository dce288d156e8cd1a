from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.ticket_list, name="ticket-list"),
    path("bulk/", views.ticket_bulk, name="ticket-bulk"),
    path("statistics/", views.statistics, name="statistics"),
    path("tickets/new/", views.ticket_create, name="ticket-create"),
    path("tickets/<int:pk>/row/", views.ticket_row, name="ticket-row"),
    path("tickets/<str:pk>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<str:pk>/live/", views.ticket_live, name="ticket-live"),
    path("tickets/<str:pk>/update/", views.ticket_update, name="ticket-update"),
    path("tickets/<str:pk>/comment/", views.ticket_comment, name="ticket-comment"),
]
