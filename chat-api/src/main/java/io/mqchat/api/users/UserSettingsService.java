package io.mqchat.api.users;

import io.mqchat.web.ApiException;
import org.springframework.stereotype.Service;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Reading and changing one's own settings; there is no way to name another user. */
@Service
public class UserSettingsService {

    private final UserSettingsStore store;

    public UserSettingsService(UserSettingsStore store) {
        this.store = store;
    }

    /** What a client sends; null leaves a setting unchanged. */
    public record Change(String groupAdds) {
    }

    public UserSettings mine(String caller) {
        return store.find(caller).orElseThrow(UserSettingsService::gone);
    }

    /** Validates the whole change before writing any of it. */
    public UserSettings change(String caller, Change change) {
        if (change == null || change.groupAdds() == null) {
            throw ApiException.badRequest("Nothing to change: send {\"groupAdds\": " + choices() + "}.");
        }
        GroupAddPolicy groupAdds = GroupAddPolicy.parse(change.groupAdds()).orElseThrow(() ->
                ApiException.badRequest("groupAdds must be one of " + choices() + "."));
        if (!store.setGroupAdds(caller, groupAdds)) {
            throw gone();
        }
        return mine(caller);
    }

    private static String choices() {
        return Arrays.stream(GroupAddPolicy.values()).map(p -> "\"" + p.wire() + "\"").collect(Collectors.joining(", "));
    }

    private static ApiException gone() {
        // a valid token of an account that no longer exists
        return ApiException.notFound("Your account no longer exists.");
    }
}
