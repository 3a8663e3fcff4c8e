from django.contrib import admin

from gongzhi.devices.models import Alarm, AlarmRule, DeadLetter, Device, DeviceType


class AlarmRuleInline(admin.TabularInline):
    model = AlarmRule
    extra = 0


@admin.register(DeviceType)
class DeviceTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "heartbeat_seconds", "missed_heartbeats")
    inlines = [AlarmRuleInline]


@admin.register(AlarmRule)
class AlarmRuleAdmin(admin.ModelAdmin):
    list_display = ("device_type", "event", "label", "severity", "dispatch", "category", "fold_minutes", "active")
    list_filter = ("device_type", "severity", "dispatch")


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "device_type", "estate", "online", "last_seen_at", "battery", "active")
    list_filter = ("device_type", "online", "active")
    search_fields = ("code", "name")
    raw_id_fields = ("estate", "building")
    readonly_fields = ("online", "last_seen_at", "battery")


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ("id", "rule", "severity", "state", "estate", "device", "first_event_at", "count", "work_order")
    list_filter = ("severity", "state")
    raw_id_fields = ("estate", "device", "work_order")


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "topic", "reason")
    list_filter = ("source",)
