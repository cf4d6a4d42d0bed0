package io.mqchat.api.contacts;

import io.mqchat.api.devices.BrokerBus;
import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.protocol.ServerEvent;
import io.mqchat.common.protocol.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Instant;

/**
 * Records a change of one user's list ({@link ContactChangeLog}: the record) and then tells every device of that
 * user ({@code contact} event on their inbox, over the broker bus). The event is a convenience: a device that
 * missed it catches up with {@code sinceVersion}, so a bus failure is only logged.
 */
@Component
public class ContactChanges {

    private static final Logger log = LoggerFactory.getLogger(ContactChanges.class);

    private final ContactChangeLog changeLog;
    private final BrokerBus bus;

    public ContactChanges(ContactChangeLog changeLog, BrokerBus bus) {
        this.changeLog = changeLog;
        this.bus = bus;
    }

    /** Records {@code change} (about {@code peer}) for {@code user} and tells their devices; the new version. */
    public long record(String user, String change, String peer, String message, Instant at) {
        long version = changeLog.record(user, change, peer, message, at);
        try {
            // the brokers' cached decisions about the two (direct messages, presence) go now, not after their TTL
            bus.send(BusMessage.relationChanged(user, peer));
            bus.send(BusMessage.publish(Topics.inbox(user),
                    new ServerEvent.Contact(change, peer, version, message, at.toEpochMilli()).toJson()));
        } catch (RuntimeException e) {
            log.warn("Contact change {} of {} (version {}) stored but not announced: {}", change, user, version,
                    e.toString());
        }
        return version;
    }
}
