package io.mqchat.api.users;

/** A user's own settings; more will join {@code groupAdds}. */
public record UserSettings(GroupAddPolicy groupAdds) {
}
