"""Carriers, shipping services and package types, kept by managers; never deleted.

A form checks what the services would refuse (beside the field), and saving
goes through ``fulfillment.services.config``. Deactivated entries stay (what
names them keeps them) and are no longer offered.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages

from fulfillment.models import Carrier, PackageType, ShippingMethod
from fulfillment.services import config as services
from oms.errors import DomainError


def checked_form(model_, fields_: list[str], check: Callable, instance_arg: str):
    """Return a model form whose clean() asks the service's check, errors beside the fields."""

    class CheckedForm(forms.ModelForm):
        class Meta:
            model = model_
            fields = fields_

        def clean(self):
            cleaned = super().clean()
            if self.errors:
                return cleaned
            changes = {name: cleaned.get(name) for name in self.changed_data if name in fields_}
            instance = self.instance if self.instance.pk else None
            try:
                check(**{instance_arg: instance}, **changes)
            except DomainError as error:
                field = error.field if error.field in self.fields else None
                self.add_error(field, error.message)
            return cleaned

    return CheckedForm


class ConfigAdmin(admin.ModelAdmin):
    """Save through a service; deactivate and reactivate, never delete."""

    save_service: Callable
    instance_arg: str
    actions = ["deactivate", "activate"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data.get(name) for name in form.changed_data}
        if change:
            saved = self.save_service(user=request.user, **{self.instance_arg: obj}, **fields)
        else:
            data = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
            saved = self.save_service(user=request.user, **data)
        obj.pk = saved.pk

    @admin.action(
        description="Deactivate the selected entries (no longer offered)", permissions=["change"]
    )
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description="Reactivate the selected entries", permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset, *, active: bool):
        done = 0
        for obj in queryset:
            try:
                self.save_service(user=request.user, **{self.instance_arg: obj}, is_active=active)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        word = "reactivated" if active else "deactivated (no longer offered)"
        self.message_user(request, f"{done} {self.opts.verbose_name_plural} {word}.")


class ShippingMethodInline(admin.TabularInline):
    """A carrier's services, shown on its page; each is changed on its own page."""

    model = ShippingMethod
    fields = ["code", "name", "price", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


CARRIER_FIELDS = ["code", "name", "tracking_url_template", "is_local_courier", "is_active"]


@admin.register(Carrier)
class CarrierAdmin(ConfigAdmin):
    form = checked_form(Carrier, CARRIER_FIELDS, services.carrier_check, "carrier")
    save_service = staticmethod(services.carrier_save)
    instance_arg = "carrier"
    fields = CARRIER_FIELDS
    list_display = ["code", "name", "is_local_courier", "is_active", "tracking_url_template"]
    list_filter = ["is_active", "is_local_courier"]
    search_fields = ["code", "name"]
    inlines = [ShippingMethodInline]


METHOD_FIELDS = ["carrier", "code", "name", "price", "is_active"]


@admin.register(ShippingMethod)
class ShippingMethodAdmin(ConfigAdmin):
    form = checked_form(ShippingMethod, METHOD_FIELDS, services.shipping_method_check, "method")
    save_service = staticmethod(services.shipping_method_save)
    instance_arg = "method"
    fields = METHOD_FIELDS
    list_display = ["code", "name", "carrier", "price", "is_active"]
    list_filter = ["is_active", "carrier"]
    search_fields = ["code", "name", "carrier__name"]
    list_select_related = ["carrier"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "carrier":
            kwargs["queryset"] = Carrier.objects.order_by("-is_active", "name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


PACKAGE_FIELDS = ["name", "length_mm", "width_mm", "height_mm", "tare_grams", "is_active"]


@admin.register(PackageType)
class PackageTypeAdmin(ConfigAdmin):
    form = checked_form(PackageType, PACKAGE_FIELDS, services.package_type_check, "package")
    save_service = staticmethod(services.package_type_save)
    instance_arg = "package"
    fields = PACKAGE_FIELDS
    list_display = ["name", "dimensions", "tare_grams", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
