"""The admin's transition buttons (django-fsm-2), run through the owning app's services.

A model admin lists, in ``transition_services``, a function per transition
button: ``service(obj, user)`` calls the service (which locks, checks the
role and the state, writes the event) and returns the object. A refusal is
shown in the service's words and changes nothing; a transition without a
service is not run from the admin at all.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django_fsm.admin import FSMAdminMixin

from oms.errors import DomainError


class ServiceTransitionsAdmin(FSMAdminMixin):
    """Run the transition buttons through services, never the transition methods directly."""

    fsm_fields = ["status"]
    transition_services: dict[str, Callable] = {}
    # The words on a button, by transition; otherwise its name in plain words ("Mark shipped").
    transition_labels: dict[str, str] = {}

    def get_fsm_label(self, transition) -> str:
        label = self.transition_labels.get(transition.name) or transition.custom.get("label")
        return label or transition.name.replace("_", " ").capitalize()

    def _get_fsm_extra_context(self, *, request, obj):
        """Offer no button to a user who may only view the object."""
        if obj is None or not self.has_change_permission(request, obj):
            return iter(())
        return super()._get_fsm_extra_context(request=request, obj=obj)

    def is_fsm_transition_visible(self, transition) -> bool:
        """Show a button only for a transition the admin runs through a service."""
        return transition.name in self.transition_services

    def transition_done(self, obj) -> str:
        """Say what a transition did, for the admin's message."""
        return f"{obj} is now {obj.get_status_display().lower()}."

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None) -> bool:
        service = self.transition_services.get(transition_name)
        if service is None:
            self.message_user(
                request, f"'{transition_name}' cannot be run from the admin.", messages.ERROR
            )
            return False
        try:
            done = service(obj, request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return False
        self.message_user(request, self.transition_done(done), messages.SUCCESS)
        return True
