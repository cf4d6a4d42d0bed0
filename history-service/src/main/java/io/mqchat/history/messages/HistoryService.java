package io.mqchat.history.messages;

import io.mqchat.common.auth.HistoryPolicy;
import io.mqchat.common.protocol.ConversationId;
import io.mqchat.history.users.UserDirectory;
import io.mqchat.history.web.ApiException;
import org.springframework.stereotype.Service;

import java.util.List;

/** Who may read which conversation, and the paged read itself. Default-deny: only members read. */
@Service
public class HistoryService {

    private final MessageStore messages;
    private final UserDirectory users;

    public HistoryService(MessageStore messages, UserDirectory users) {
        this.messages = messages;
        this.users = users;
    }

    /**
     * One page of a conversation for {@code caller}.
     *
     * @throws ApiException 400 for an invalid id, 403 for non-members, 404 for groups and unknown peers
     */
    public MessageStore.Slice read(String caller, String conversation, PageRequest page) {
        return messages.page(member(caller, conversation), page);
    }

    /** The same, limited to what the caller's device may see under the history policy. */
    public MessageStore.Slice read(String caller, String conversation, PageRequest page,
                                   HistoryPolicy.Visibility visibility) {
        ConversationId conv = member(caller, conversation);
        if (visibility.none()) {
            return new MessageStore.Slice(List.of(), false);
        }
        return visibility.everything() ? messages.page(conv, page) : messages.page(conv, page, visibility.notBeforeTs());
    }

    /**
     * The conversation, if {@code caller} is a member of it.
     *
     * @throws ApiException 400 for an invalid id, 403 for non-members, 404 for groups and unknown peers
     */
    public ConversationId member(String caller, String conversation) {
        ConversationId conv = ConversationId.parse(conversation).orElseThrow(() -> ApiException.badRequest(
                "conv must be a conversation id: d:{userA}:{userB} with userA < userB, or g:{groupId}"));
        if (conv.type() == ConversationId.Type.GROUP) {
            throw ApiException.notFound("Group conversations do not exist yet.");
        }
        // membership before existence, so non-members cannot probe which users exist
        if (!conv.isDirectParticipant(caller)) {
            throw ApiException.forbidden("You are not a member of this conversation.");
        }
        if (!users.exists(conv.peerOf(caller))) {
            throw ApiException.notFound("No such conversation: the other user does not exist.");
        }
        return conv;
    }
}
