package io.mqchat.common.services;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.mqchat.common.protocol.Ids;
import org.bson.Document;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a service account may do, set by an admin: direct messages to any user, to listed users only, or to none;
 * posts into the groups it is a member of, only into listed ones of those, or none; the broadcast of the admin API.
 * Membership is checked as for anyone: a service posts only where it was added.
 *
 * @param direct   who it may send direct messages to
 * @param users    with {@code direct = listed}: those users
 * @param groups   where it may post
 * @param groupIds with {@code groups = listed}: those groups
 * @param broadcast whether it may broadcast system messages ({@code POST /api/v1/broadcasts})
 */
public record ServiceScopes(Direct direct, List<String> users, Groups groups, List<String> groupIds, boolean broadcast) {

    /** At most this many listed users or groups: a longer list belongs in a group. */
    public static final int MAX_LISTED = 1_000;

    /** What a new account may do unless told otherwise: post into its groups, nothing else (default deny). */
    public static final ServiceScopes DEFAULT = new ServiceScopes(Direct.NONE, List.of(), Groups.MEMBER, List.of(), false);

    public enum Direct {
        ANY, LISTED, NONE;

        @JsonValue
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static @Nullable Direct of(@Nullable String text) {
            for (Direct d : values()) {
                if (d.text().equals(text)) {
                    return d;
                }
            }
            return null;
        }
    }

    public enum Groups {
        MEMBER, LISTED, NONE;

        @JsonValue
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static @Nullable Groups of(@Nullable String text) {
            for (Groups g : values()) {
                if (g.text().equals(text)) {
                    return g;
                }
            }
            return null;
        }
    }

    public ServiceScopes {
        users = users == null ? List.of() : List.copyOf(Set.copyOf(users)).stream().sorted().toList();
        groupIds = groupIds == null ? List.of() : List.copyOf(Set.copyOf(groupIds)).stream().sorted().toList();
    }

    /**
     * What is wrong with scopes given over REST (nulls mean "as before": {@code base}), or the scopes. Checked before
     * anything is stored, so no unvalidated id reaches a filter.
     */
    public static Result merge(ServiceScopes base, @Nullable String direct, @Nullable List<String> users,
                               @Nullable String groups, @Nullable List<String> groupIds, @Nullable Boolean broadcast) {
        List<String> problems = new ArrayList<>();
        Direct d = direct == null ? base.direct() : Direct.of(direct);
        if (d == null) {
            problems.add("scopes.direct must be any, listed or none");
        }
        Groups g = groups == null ? base.groups() : Groups.of(groups);
        if (g == null) {
            problems.add("scopes.groups must be member, listed or none");
        }
        List<String> u = users == null ? base.users() : users;
        List<String> gi = groupIds == null ? base.groupIds() : groupIds;
        if (u.size() > MAX_LISTED || gi.size() > MAX_LISTED) {
            problems.add("scopes.users and scopes.groupIds take at most " + MAX_LISTED + " ids each");
        } else {
            u.stream().filter(id -> !Ids.isValidUserId(id)).findFirst().ifPresent(id ->
                    problems.add("scopes.users: '" + Ids.printable(String.valueOf(id)) + "' is not a user id"));
            gi.stream().filter(id -> !Ids.isValidGroupId(id)).findFirst().ifPresent(id ->
                    problems.add("scopes.groupIds: '" + Ids.printable(String.valueOf(id)) + "' is not a group id"));
        }
        if (!problems.isEmpty()) {
            return new Result(null, problems);
        }
        return new Result(new ServiceScopes(d, u, g, gi, broadcast == null ? base.broadcast() : broadcast), List.of());
    }

    /** Scopes, or why there are none. */
    public record Result(@Nullable ServiceScopes scopes, List<String> problems) {
    }

    /** Why a direct message to {@code userId} is outside these scopes; empty when it is inside. */
    public Optional<String> refusalToMessage(String userId) {
        return switch (direct) {
            case ANY -> Optional.empty();
            case LISTED -> users.contains(userId) ? Optional.empty()
                    : Optional.of("this service account may send direct messages only to the users an admin listed "
                    + "(scopes.users), and '" + userId + "' is not one of them");
            case NONE -> Optional.of("this service account may not send direct messages (scopes.direct = none); "
                    + "an admin can grant it");
        };
    }

    /** Why a post into {@code groupId} is outside these scopes; empty when it is inside (membership aside). */
    public Optional<String> refusalToPost(String groupId) {
        return switch (groups) {
            case MEMBER -> Optional.empty();
            case LISTED -> groupIds.contains(groupId) ? Optional.empty()
                    : Optional.of("this service account may post only into the groups an admin listed "
                    + "(scopes.groupIds), and '" + groupId + "' is not one of them");
            case NONE -> Optional.of("this service account may not post into groups (scopes.groups = none); an admin "
                    + "can grant it");
        };
    }

    Document toDocument() {
        return new Document("direct", direct.text()).append("users", users).append("groups", groups.text())
                .append("groupIds", groupIds).append("broadcast", broadcast);
    }

    static ServiceScopes fromDocument(@Nullable Document d) {
        if (d == null) {
            return DEFAULT;
        }
        Direct direct = Direct.of(d.getString("direct"));
        Groups groups = Groups.of(d.getString("groups"));
        // an unreadable stored scope grants nothing
        return new ServiceScopes(direct == null ? Direct.NONE : direct, d.getList("users", String.class),
                groups == null ? Groups.NONE : groups, d.getList("groupIds", String.class),
                Boolean.TRUE.equals(d.getBoolean("broadcast")));
    }
}
