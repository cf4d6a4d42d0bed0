package io.mqchat.common.presence;

import io.mqchat.common.contacts.PresencePolicy;
import io.mqchat.common.contacts.Relations;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.protocol.Ids;
import io.mqchat.common.store.ConversationSummaries;

/**
 * Who may see a user's presence ({@code chat/p/{user}} and the REST presence endpoint): the user, and users
 * with whom both sides consented to be in touch —
 * <ul>
 *   <li>a direct conversation in which <em>both</em> sent at least one message (a stranger writing first
 *       learns nothing until the other replies), read from the conversation summaries;</li>
 *   <li>or a group both are members of. Every way into a group is the member's own consent: creating it,
 *       being added by someone their {@code groupAdds} setting admits, accepting an invitation, or asking
 *       to join. Leaving the group ends it.</li>
 * </ul>
 * Default-deny: invalid ids see nothing.
 */
public final class PresenceAudience {

    /** The refusal text for clients: what they may do instead. */
    public static final String REFUSAL = "you see the presence of users you exchanged direct messages with "
            + "(both of you sent one) or share a group with, unless their presence setting shows it to their contacts "
            + "only or nobody; send them a message and it is visible once they reply";

    private final ConversationSummaries summaries;
    private final GroupDirectory groups;
    private final Relations relations;

    public PresenceAudience(ConversationSummaries summaries, GroupDirectory groups, Relations relations) {
        this.summaries = summaries;
        this.groups = groups;
        this.relations = relations;
    }

    /**
     * Yourself always; nobody the subject blocked; then the subject's {@code presence} setting: {@code talked} (the
     * default) users with a mutual direct conversation or a shared group, {@code contacts} their contacts,
     * {@code nobody} nobody.
     */
    public boolean maySee(String viewer, String subject) {
        if (!Ids.isValidUserId(viewer) || !Ids.isValidUserId(subject)) {
            return false;
        }
        if (viewer.equals(subject)) {
            return true;
        }
        if (relations.isBlocked(subject, viewer)) {
            return false;
        }
        return switch (relations.presencePolicy(subject).orElse(PresencePolicy.DEFAULT)) {
            case TALKED -> mutualConversation(viewer, subject) || groups.shareAGroup(viewer, subject);
            case CONTACTS -> relations.areContacts(subject, viewer);
            case NOBODY -> false;
        };
    }

    /** Both wrote to each other; conversations are never deleted, so a yes stays a yes (callers may cache it). */
    public boolean mutualConversation(String a, String b) {
        return summaries.bothSent(a, b);
    }

    /** Whether the two share a group now (not cacheable: members leave). */
    public boolean shareAGroup(String a, String b) {
        return groups.shareAGroup(a, b);
    }
}
