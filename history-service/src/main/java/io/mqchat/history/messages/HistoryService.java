package io.mqchat.history.messages;

import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.groups.GroupDirectory;
import io.mqchat.common.groups.GroupMember;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.common.store.SystemConversation;
import io.mqchat.history.users.RegisteredUsers;
import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.util.List;

/** Who may read which conversation, and the paged read itself. Default-deny: only members read. */
@Service
public class HistoryService {

    /** The detail of every refusal of a non-member (direct or group: the same, so nothing is revealed). */
    public static final String NOT_A_MEMBER = "You are not a member of this conversation.";

    /**
     * A conversation the caller may read, and from which seq.
     *
     * @param fromSeq the first readable seq: 1 for direct conversations, the member's {@code fromSeq} for groups
     */
    public record Access(ConversationId conv, long fromSeq) {

        public boolean isGroup() {
            return conv.type() == ConversationId.Type.GROUP;
        }

        /** The group id of a group conversation. */
        public String groupId() {
            return conv.first();
        }
    }

    private final StoredMessages messages;
    private final RegisteredUsers users;
    private final GroupDirectory groups;

    public HistoryService(StoredMessages messages, RegisteredUsers users, GroupDirectory groups) {
        this.messages = messages;
        this.users = users;
        this.groups = groups;
    }

    /**
     * One page of a conversation for {@code caller}.
     *
     * @throws ApiException 400 for an invalid id, 403 for non-members, 404 for unknown peers
     */
    public StoredMessages.Slice read(String caller, String conversation, PageRequest page) {
        return read(caller, conversation, page, HistoryPolicy.Visibility.ALL);
    }

    /** The same, limited to what the caller's device may see under the history policy. */
    public StoredMessages.Slice read(String caller, String conversation, PageRequest page,
                                   HistoryPolicy.Visibility visibility) {
        Access access = access(caller, conversation);
        if (visibility.none()) {
            return new StoredMessages.Slice(List.of(), false);
        }
        if (access.conv().type() == ConversationId.Type.SYSTEM) {
            // one stored conversation for everyone: broadcasts to listed users are passed over by the others
            return messages.page(access.conv(), page, visibility.everything() ? 0 : visibility.notBeforeTs(), 1,
                    SystemConversation.readableBy(caller));
        }
        if (access.isGroup()) {
            // a member reads from joining: the floor is part of the query, so paging and hasMore respect it
            return messages.page(access.conv(), page, visibility.everything() ? 0 : visibility.notBeforeTs(),
                    access.fromSeq());
        }
        return visibility.everything() ? messages.page(access.conv(), page)
                : messages.page(access.conv(), page, visibility.notBeforeTs());
    }

    /**
     * The conversation, if {@code caller} is a member of it.
     *
     * @throws ApiException 400 for an invalid id, 403 for non-members, 404 for unknown peers
     */
    public ConversationId member(String caller, String conversation) {
        return access(caller, conversation).conv();
    }

    /**
     * The conversation and the caller's first readable seq, if the caller is a member of it now (a group's
     * current member; a removed member, a dissolved or unknown group: 403, so non-members cannot probe which
     * groups exist).
     *
     * @throws ApiException 400 for an invalid id, 403 for non-members, 404 for unknown peers
     */
    public Access access(String caller, String conversation) {
        ConversationId conv = ConversationId.parse(conversation).orElseThrow(() -> ApiException.badRequest(
                "conv must be a conversation id: d:{userA}:{userB} with userA < userB, g:{groupId}, or s:all"));
        if (conv.type() == ConversationId.Type.SYSTEM) {
            return new Access(conv, 1); // every user reads the broadcasts (those for them)
        }
        if (conv.type() == ConversationId.Type.GROUP) {
            GroupMember member = groups.member(conv.first(), caller)
                    .orElseThrow(() -> ApiException.forbidden(NOT_A_MEMBER));
            return new Access(conv, Math.max(1, member.fromSeq()));
        }
        // membership before existence, so non-members cannot probe which users exist
        if (!conv.isDirectParticipant(caller)) {
            throw ApiException.forbidden(NOT_A_MEMBER);
        }
        if (!users.exists(conv.peerOf(caller))) {
            throw ApiException.notFound("No such conversation: the other user does not exist.");
        }
        return new Access(conv, 1);
    }
}
