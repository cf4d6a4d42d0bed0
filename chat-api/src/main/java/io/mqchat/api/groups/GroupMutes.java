package io.mqchat.api.groups;

import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.groups.GroupRole;
import io.mqchat.common.protocol.GroupEvents;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.time.Instant;

/**
 * Muting a member for a while, or the whole group (then only admins and the owner speak). Stored on the
 * membership / group and announced; the broker enforces it, and the bus message makes every node drop its
 * cached membership so a mute takes effect at once.
 */
@Service
public class GroupMutes {

    /** The longest mute: 30 days. */
    static final long MAX_SECONDS = 30L * 24 * 3600;

    private final GroupService groups;
    private final GroupStore store;
    private final GroupAnnouncer announcer;

    public GroupMutes(GroupService groups, GroupStore store, GroupAnnouncer announcer) {
        this.groups = groups;
        this.store = store;
        this.announcer = announcer;
    }

    /** Admins mute members, the owner mutes anyone but themselves; the member as it is now. */
    public GroupMember mute(String groupId, String caller, String userId, Long durationSeconds) {
        GroupService.Membership mine = groups.view(groupId, caller);
        GroupService.requireManager(mine, "mute members");
        if (durationSeconds == null || durationSeconds < 1 || durationSeconds > MAX_SECONDS) {
            throw ApiException.badRequest("durationSeconds must be 1 to " + MAX_SECONDS + " (30 days).");
        }
        GroupMember target = groups.findTarget(groupId, userId);
        requireMayMute(mine, target);
        Instant until = GroupService.now().plusSeconds(durationSeconds);
        if (!store.setMutedUntil(groupId, userId, until)) {
            throw ApiException.notFound("No such member.");
        }
        announcer.announce(groupId, caller, GroupEvents.memberMuted(userId, until.toEpochMilli()));
        return target.withMutedUntil(until);
    }

    /** Lifts a member's mute; nothing happens (and nothing is announced) if the member was not muted. */
    public void unmute(String groupId, String caller, String userId) {
        GroupService.Membership mine = groups.view(groupId, caller);
        GroupService.requireManager(mine, "unmute members");
        GroupMember target = groups.findTarget(groupId, userId);
        requireMayMute(mine, target);
        if (target.mutedUntil() == null) {
            return;
        }
        store.setMutedUntil(groupId, userId, null);
        if (target.mutedAt(GroupService.now())) {
            announcer.announce(groupId, caller, GroupEvents.memberUnmuted(userId));
        }
    }

    /** Mutes the whole group (admins and the owner); announced only if it was not muted already. */
    public GroupService.Membership muteAll(String groupId, String caller) {
        setMutedAll(groupId, caller, true);
        return groups.view(groupId, caller);
    }

    public void unmuteAll(String groupId, String caller) {
        setMutedAll(groupId, caller, false);
    }

    private void setMutedAll(String groupId, String caller, boolean muted) {
        GroupService.Membership mine = groups.view(groupId, caller);
        GroupService.requireManager(mine, muted ? "mute the group" : "unmute the group");
        if (store.setMutedAll(groupId, muted)) {
            announcer.announce(groupId, caller, muted ? GroupEvents.groupMuted() : GroupEvents.groupUnmuted());
        }
    }

    private static void requireMayMute(GroupService.Membership mine, GroupMember target) {
        if (target.role() == GroupRole.OWNER) {
            throw ApiException.forbidden("The owner cannot be muted.");
        }
        if (target.role() == GroupRole.ADMIN && mine.role() != GroupRole.OWNER) {
            throw ApiException.forbidden("Only the owner can mute or unmute an admin.");
        }
    }
}
