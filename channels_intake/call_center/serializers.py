"""Input and output of the CTI endpoint."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from complaints.models import Case
from complaints.workflow import customer_label

CALL_ID_FORMAT = _("ID panggilan hanya boleh berisi huruf, angka, titik, titik dua, - dan _.")


class CallInput(serializers.Serializer):
    # The CTI sends what the switch saw: "+6281…", "081…", "anonymous", an extension.
    caller = serializers.CharField(max_length=40, allow_blank=True)
    call_id = serializers.RegexField(
        r"^[A-Za-z0-9._:\-]{1,100}$", error_messages={"invalid": CALL_ID_FORMAT}
    )
    agent = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class OpenCaseOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["ticket", "status", "status_label", "category", "priority", "created_at"]

    def get_status_label(self, case: Case) -> str:
        return customer_label(case.status, field_work=case.category.is_field_work)


class CallerCustomerOutput(serializers.Serializer):
    id = serializers.IntegerField(source="customer.pk")
    id_pelanggan = serializers.CharField(source="customer.id_pelanggan")
    meter_number = serializers.CharField(source="customer.meter_number", allow_null=True)
    name = serializers.CharField(source="customer.name")
    address = serializers.CharField(source="customer.address")
    service_unit = serializers.CharField(source="customer.service_unit.code")
    open_cases = OpenCaseOutput(many=True)


class CallOutput(serializers.Serializer):
    call_id = serializers.CharField()
    caller = serializers.CharField()
    caller_e164 = serializers.CharField(allow_null=True)
    customers = CallerCustomerOutput(many=True)
    console_url = serializers.URLField()
