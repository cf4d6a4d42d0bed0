package io.mqchat.api.users;

import io.mqchat.api.devices.BrokerBus;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.contacts.DirectMessagePolicy;
import io.mqchat.common.contacts.PresencePolicy;
import io.mqchat.web.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Reading and changing one's own settings; there is no way to name another user. */
@Service
public class UserSettingsService {

    private static final Logger log = LoggerFactory.getLogger(UserSettingsService.class);

    private final UserSettingsStore store;
    private final BrokerBus bus;

    public UserSettingsService(UserSettingsStore store, BrokerBus bus) {
        this.store = store;
        this.bus = bus;
    }

    /** What a client sends; null leaves a setting unchanged. */
    public record Change(String groupAdds, String directMessages, String presence) {
    }

    public UserSettings mine(String caller) {
        return store.find(caller).orElseThrow(UserSettingsService::gone);
    }

    /** Validates the whole change before writing any of it (one write). */
    public UserSettings change(String caller, Change change) {
        if (change == null || (change.groupAdds() == null && change.directMessages() == null
                && change.presence() == null)) {
            throw ApiException.badRequest("Nothing to change: send {\"groupAdds\": " + choices(GroupAddPolicy.values(),
                    GroupAddPolicy::wire) + "}, {\"directMessages\": " + choices(DirectMessagePolicy.values(),
                    DirectMessagePolicy::wire) + "} or {\"presence\": " + choices(PresencePolicy.values(),
                    PresencePolicy::wire) + "} (one or more).");
        }
        GroupAddPolicy groupAdds = parse("groupAdds", change.groupAdds(), GroupAddPolicy::parse,
                GroupAddPolicy.values(), GroupAddPolicy::wire);
        DirectMessagePolicy directMessages = parse("directMessages", change.directMessages(),
                DirectMessagePolicy::parse, DirectMessagePolicy.values(), DirectMessagePolicy::wire);
        PresencePolicy presence = parse("presence", change.presence(), PresencePolicy::parse, PresencePolicy.values(),
                PresencePolicy::wire);
        if (!store.update(caller, groupAdds, directMessages, presence)) {
            throw gone();
        }
        if (directMessages != null || presence != null) {
            try {
                // the brokers apply who may write to and see the user now, not after their cache's TTL
                bus.send(BusMessage.relationChanged(caller, null));
            } catch (RuntimeException e) {
                log.warn("Settings of {} stored; the brokers apply them within their cache's TTL: {}", caller,
                        e.toString());
            }
        }
        return mine(caller);
    }

    /** Null for an absent value; 400 listing the choices for a value that is not one. */
    private static <T> T parse(String name, String value, Function<String, Optional<T>> parser, T[] all,
                               Function<T, String> wire) {
        if (value == null) {
            return null;
        }
        return parser.apply(value).orElseThrow(() -> ApiException.badRequest(name + " must be one of "
                + choices(all, wire) + "."));
    }

    private static <T> String choices(T[] all, Function<T, String> wire) {
        return Arrays.stream(all).map(p -> "\"" + wire.apply(p) + "\"").collect(Collectors.joining(", "));
    }

    private static ApiException gone() {
        // a valid token of an account that no longer exists
        return ApiException.notFound("Your account no longer exists.");
    }
}
