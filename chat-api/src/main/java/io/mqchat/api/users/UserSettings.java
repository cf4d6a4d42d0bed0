package io.mqchat.api.users;

import io.mqchat.common.contacts.DirectMessagePolicy;
import io.mqchat.common.contacts.PresencePolicy;

/**
 * A user's own settings: who may add them to groups directly, who may send them direct messages, who may see their
 * presence. The broker enforces the last two from the users document.
 */
public record UserSettings(GroupAddPolicy groupAdds, DirectMessagePolicy directMessages, PresencePolicy presence) {
}
