package io.mqchat.api.admin;

import io.mqchat.api.devices.DeviceSessions;

import java.util.List;

/** Request and response bodies of {@link AdminController}. */
public final class AdminDtos {

    private AdminDtos() {
    }

    /** {@code POST .../ban}: {@code until} an ISO-8601 instant in the future, absent for a permanent ban. */
    public record BanRequest(String reason, String until) {
    }

    /** {@code POST .../kick}: only devices of {@code deviceType} when given. */
    public record KickRequest(String deviceType, String reason) {
    }

    /** A ban as shown to admins; {@code until} null = permanent. */
    public record BanView(String reason, String until, String by, String at) {
    }

    /** A user in the admin list. */
    public record UserSummary(String userId, String createdAt, boolean admin, boolean adminConfigured, BanView banned) {
    }

    /** Answer of {@code GET /api/v1/admin/users}: {@code next} is the {@code after} of the next page, or null. */
    public record UserPage(List<UserSummary> users, String next) {
    }

    /**
     * One user: the summary, devices (logins and presence from Redis, which every broker node writes, so this
     * covers all nodes) and how many groups they are in.
     */
    public record UserDetail(String userId, String createdAt, boolean admin, boolean adminConfigured, BanView banned,
                             List<DeviceSessions.DeviceView> devices, long groupCount) {
    }

    /** Answer of a kick: the device types that were logged out and disconnected. */
    public record Kicked(String userId, List<String> devices) {
    }

    /** Answer of {@code GET /api/v1/admin/audit}, newest first. */
    public record AuditPage(List<AdminAudit.Entry> entries, String next) {
    }

    /** A device online now: its type, the broker node holding its connection, since when (ISO-8601). */
    public record OnlineDevice(String deviceType, String node, String since) {
    }

    /** A user online now with their online devices. */
    public record OnlineUser(String userId, List<OnlineDevice> devices) {
    }

    /** Users and devices online on all nodes; {@code nodes}: node id → devices connected there. */
    public record OnlineTotals(long users, long devices, java.util.Map<String, Long> nodes) {
    }

    /** Answer of {@code GET /api/v1/admin/online}: a page by user id ({@code next}: the next page's after). */
    public record OnlinePage(List<OnlineUser> users, String next, OnlineTotals totals) {
    }

    /** Stored messages: all, and those accepted in the last minute and the last hour. */
    public record MessageCounts(long total, long lastMinute, long lastHour) {
    }

    /** {@code UP} or {@code DOWN} with a short reason. */
    public record StoreHealth(String status, String reason) {
    }

    /** The health of MongoDB and Redis. */
    public record Health(StoreHealth mongo, StoreHealth redis) {
    }

    /**
     * Answer of {@code GET /api/v1/admin/stats}; {@code online} is null while Redis is down, the counts are null
     * while MongoDB is down.
     */
    public record Stats(OnlineTotals online, MessageCounts messages, Long users, Long groups, Health health) {
    }

    /**
     * Body of {@code POST /api/v1/admin/broadcasts}: {@code body} the text; {@code to} {@code "all"}, an array of
     * user ids, or {@code {"group": "groupId"}} (bound as plain JSON values — string, list, map — and checked by
     * the service).
     */
    public record BroadcastRequest(Object body, Object to) {
    }

    /**
     * A broadcast as stored: the message's id, conversation ({@code s:all}, or the group's) and seq, when, and
     * whom it is for ({@code to}: {@code all}, {@code users} with their count, or {@code group} with its id).
     */
    public record Broadcast(String id, String conv, long seq, long ts, String to, Integer users, String groupId) {
    }
}
