"""Tax classes and rates in the admin, for managers; every save runs ``oms.tax_rates``."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from oms.errors import DomainError
from oms.models import TaxClass, TaxRate
from oms.tax_rates import tax_class_save, tax_rate_add, tax_rate_change


class ServiceSaveAdmin(admin.ModelAdmin):
    """Saves through a service while the form is validated (inside the admin's transaction),
    so a refusal is shown on the form as an error and nothing is written."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_in_service(self, request, obj, form, change):
        """Save ``obj`` through its service and return what was saved."""
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        admin_site = self

        class ServiceForm(form):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    self.instance = admin_site.save_in_service(request, self.instance, self, change)
                except DomainError as error:
                    field = error.field if error.field in self.fields else None
                    self.add_error(field, ValidationError(error.message))

        return ServiceForm

    def save_model(self, request, obj, form, change):
        """The service saved it while the form was validated."""

    def save_related(self, request, form, formsets, change):
        """Nothing related to save."""


@admin.register(TaxClass)
class TaxClassAdmin(ServiceSaveAdmin):
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def save_in_service(self, request, obj, form, change):
        return tax_class_save(tax_class=obj, user=request.user)


@admin.register(TaxRate)
class TaxRateAdmin(ServiceSaveAdmin):
    list_display = ["tax_class", "country", "percent", "valid_from", "valid_until", "name"]
    list_filter = ["tax_class", "country"]
    search_fields = ["country", "name"]
    list_select_related = ["tax_class"]
    fields = ["tax_class", "country", "rate", "valid_from", "valid_until", "name"]

    def get_readonly_fields(self, request, obj=None):
        # Orders keep the rate they were placed with; a new rate is a new row from its day.
        return ["tax_class", "country", "rate", "valid_from"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tax_class":
            kwargs["queryset"] = TaxClass.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="rate %")
    def percent(self, obj):
        return f"{obj.percent} %"

    def save_in_service(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            return tax_rate_change(
                tax_rate=obj,
                valid_until=data.get("valid_until"),
                name=data.get("name", ""),
                user=request.user,
            )
        return tax_rate_add(
            tax_class=data["tax_class"],
            country=data["country"],
            rate=data["rate"],
            valid_from=data["valid_from"],
            valid_until=data.get("valid_until"),
            name=data.get("name", ""),
            user=request.user,
        )
