package io.mqchat.api.webhooks;

import io.mqchat.api.admin.AdminAudit;
import io.mqchat.common.schema.StoreSchema.WebhookDelivery;
import io.mqchat.common.schema.StoreSchema.WebhookEndpoint;
import io.mqchat.common.webhooks.EndpointAddress;
import io.mqchat.common.webhooks.WebhookBody;
import io.mqchat.common.webhooks.WebhookEndpoints;
import io.mqchat.common.webhooks.WebhookEvents;
import io.mqchat.common.webhooks.WebhookOutbox;
import io.mqchat.web.ApiException;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules of webhook registration and of the admin's view of the outbox: what a URL, an event list and a secret
 * may be, how many endpoints there may be, the audit of every change. After a change the endpoint list of this
 * instance is read again at once (other instances and the broker nodes within {@code MQCHAT_WEBHOOKS_REFRESH}).
 */
@Service
public class WebhookService {

    static final String REDACTED = "********";
    static final int MIN_SECRET = 16;
    static final int MAX_SECRET = 256;
    static final int MAX_EVENTS = WebhookEvents.SUBSCRIBABLE.size();
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 200;

    private final WebhookStore store;
    private final WebhookEndpoints endpoints;
    private final WebhookDispatcher dispatcher;
    private final AdminAudit audit;
    private final WebhooksProperties properties;
    private final Clock clock = Clock.systemUTC();
    private final SecureRandom random = new SecureRandom();

    public WebhookService(WebhookStore store, WebhookEndpoints endpoints, WebhookDispatcher dispatcher, AdminAudit audit,
                          WebhooksProperties properties) {
        this.store = store;
        this.endpoints = endpoints;
        this.dispatcher = dispatcher;
        this.audit = audit;
        this.properties = properties;
    }

    public WebhookDtos.Endpoint create(String admin, WebhookDtos.CreateRequest body) {
        if (body == null) {
            throw ApiException.badRequest("a body {\"url\", \"events\", \"secret\"?} is required");
        }
        URI url = checkedUrl(body.url());
        List<String> events = checkedEvents(body.events());
        boolean generated = body.secret() == null;
        String secret = generated ? generateSecret() : checkedSecret(body.secret());
        if (store.countEndpoints() >= properties.maxEndpoints()) {
            throw new ApiException(HttpStatus.CONFLICT, "At most " + properties.maxEndpoints()
                    + " webhook endpoints may be registered (MQCHAT_WEBHOOKS_MAXENDPOINTS); delete one first.",
                    "too_many_endpoints");
        }
        String id = new ObjectId().toHexString();
        Document doc = new Document(WebhookEndpoint.ID, id).append(WebhookEndpoint.URL, url.toString())
                .append(WebhookEndpoint.EVENTS, events).append(WebhookEndpoint.SECRET, secret)
                .append(WebhookEndpoint.ENABLED, true).append(WebhookEndpoint.CREATED_AT, Date.from(clock.instant()))
                .append(WebhookEndpoint.CREATED_BY, admin);
        store.insertEndpoint(doc);
        audit.record(admin, "webhook_created", id, null, null, null);
        endpoints.refreshNow();
        return view(doc, generated ? secret : REDACTED);
    }

    public WebhookDtos.EndpointPage list(String after, Integer limit) {
        if (after != null && !ObjectId.isValid(after)) {
            throw ApiException.badRequest("after must be the id of an endpoint (the next of the previous page)");
        }
        int n = limit(limit);
        List<Document> page = store.endpoints(after, n + 1);
        List<WebhookDtos.Endpoint> shown = page.stream().limit(n).map(d -> view(d, REDACTED)).toList();
        return new WebhookDtos.EndpointPage(shown, page.size() > n ? shown.get(n - 1).id() : null);
    }

    public WebhookDtos.Endpoint get(String id) {
        return view(store.endpoint(checkedId(id)).orElseThrow(WebhookService::unknownEndpoint), REDACTED);
    }

    public WebhookDtos.Endpoint update(String admin, String id, WebhookDtos.UpdateRequest body) {
        String endpointId = checkedId(id);
        if (body == null || body.enabled() == null) {
            throw ApiException.badRequest("a body {\"enabled\": true|false} is required");
        }
        Document updated = store.setEnabled(endpointId, body.enabled()).orElseThrow(WebhookService::unknownEndpoint);
        audit.record(admin, body.enabled() ? "webhook_enabled" : "webhook_disabled", endpointId, null, null, null);
        endpoints.refreshNow();
        return view(updated, REDACTED);
    }

    public void delete(String admin, String id) {
        String endpointId = checkedId(id);
        if (!store.deleteEndpoint(endpointId)) {
            throw unknownEndpoint();
        }
        audit.record(admin, "webhook_deleted", endpointId, null, null, null);
        endpoints.refreshNow();
    }

    /** Queues a {@code webhook.test} delivery to the endpoint, due now. */
    public WebhookDtos.Queued test(String admin, String id) {
        String endpointId = checkedId(id);
        Document endpoint = store.endpoint(endpointId).orElseThrow(WebhookService::unknownEndpoint);
        if (!endpoint.getBoolean(WebhookEndpoint.ENABLED, false)) {
            throw new ApiException(HttpStatus.CONFLICT, "The endpoint is disabled; enable it first.", "endpoint_disabled");
        }
        Document delivery = WebhookOutbox.delivery(endpointId, WebhookEvents.TEST, clock.millis(),
                new WebhookBody.Test(endpointId, admin), Date.from(clock.instant()));
        store.insertDelivery(delivery);
        audit.record(admin, "webhook_tested", endpointId, null, null, null);
        dispatcher.wake();
        return new WebhookDtos.Queued(delivery.getObjectId(WebhookDelivery.ID).toHexString(), endpointId,
                WebhookEvents.TEST, WebhookDelivery.PENDING);
    }

    public WebhookDtos.DeadLetterPage deadLetters(String endpoint, String after, Integer limit) {
        if (endpoint != null && !ObjectId.isValid(endpoint)) {
            throw ApiException.badRequest("endpoint must be the id of an endpoint");
        }
        if (after != null && !ObjectId.isValid(after)) {
            throw ApiException.badRequest("after must be the id of a delivery (the next of the previous page)");
        }
        int n = limit(limit);
        List<Document> page = store.deadLetters(endpoint, after, n + 1);
        List<WebhookDtos.DeadLetter> shown = page.stream().limit(n).map(WebhookService::deadLetter).toList();
        return new WebhookDtos.DeadLetterPage(shown, page.size() > n ? shown.get(n - 1).deliveryId() : null);
    }

    /** A dead delivery is tried again from its first attempt; 409 when it is not dead. */
    public WebhookDtos.Queued redeliver(String admin, String deliveryId) {
        if (deliveryId == null || !ObjectId.isValid(deliveryId)) {
            throw unknownDelivery();
        }
        ObjectId id = new ObjectId(deliveryId);
        Document redelivered = store.redeliver(id, Date.from(clock.instant())).orElse(null);
        if (redelivered == null) {
            Document existing = store.delivery(id).orElseThrow(WebhookService::unknownDelivery);
            throw new ApiException(HttpStatus.CONFLICT, "Only dead deliveries can be redelivered; this one is "
                    + existing.getString(WebhookDelivery.STATE) + ".", "not_dead");
        }
        audit.record(admin, "webhook_redelivered", deliveryId, null, null, null);
        dispatcher.wake();
        return new WebhookDtos.Queued(deliveryId, redelivered.getString(WebhookDelivery.ENDPOINT),
                redelivered.getString(WebhookDelivery.EVENT), WebhookDelivery.PENDING);
    }

    private URI checkedUrl(String url) {
        try {
            URI uri = EndpointAddress.parse(url);
            EndpointAddress.requirePublic(uri, properties.allowPrivate());
            return uri;
        } catch (EndpointAddress.RefusedException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, e.getMessage()
                    + (e.getMessage().contains("non-public") ? " (MQCHAT_WEBHOOKS_ALLOWPRIVATE=true allows it for local "
                    + "development)" : ""), "invalid_url");
        }
    }

    private static List<String> checkedEvents(List<String> events) {
        if (events == null || events.isEmpty()) {
            throw ApiException.badRequest("events must list at least one of " + WebhookEvents.SUBSCRIBABLE);
        }
        if (events.size() > MAX_EVENTS) {
            throw ApiException.badRequest("events must list at most " + MAX_EVENTS + " events");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String e : events) {
            if (!WebhookEvents.isSubscribable(e)) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "events may be " + WebhookEvents.SUBSCRIBABLE
                        + "; '" + shortened(e) + "' is not one of them", "unknown_event");
            }
            out.add(e);
        }
        return new ArrayList<>(out);
    }

    private static String checkedSecret(String secret) {
        if (secret.length() < MIN_SECRET || secret.length() > MAX_SECRET) {
            throw ApiException.badRequest("secret must be " + MIN_SECRET + " to " + MAX_SECRET
                    + " characters (leave it out to have one generated)");
        }
        if (secret.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw ApiException.badRequest("secret must be printable ASCII without spaces");
        }
        return secret;
    }

    private String generateSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String checkedId(String id) {
        if (id == null || !ObjectId.isValid(id) || !id.equals(id.toLowerCase(Locale.ROOT))) {
            throw unknownEndpoint(); // an id that cannot exist is as unknown as one that does not
        }
        return id;
    }

    private static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be from 1 to " + MAX_LIMIT);
        }
        return limit;
    }

    private static ApiException unknownEndpoint() {
        return new ApiException(HttpStatus.NOT_FOUND, "No such webhook endpoint.", "unknown_webhook");
    }

    private static ApiException unknownDelivery() {
        return new ApiException(HttpStatus.NOT_FOUND, "No such delivery.", "unknown_delivery");
    }

    private static String shortened(String s) {
        return s == null ? "null" : s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static WebhookDtos.Endpoint view(Document d, String secret) {
        Date created = d.getDate(WebhookEndpoint.CREATED_AT);
        return new WebhookDtos.Endpoint(d.getString(WebhookEndpoint.ID), d.getString(WebhookEndpoint.URL),
                d.getList(WebhookEndpoint.EVENTS, String.class, List.of()), d.getBoolean(WebhookEndpoint.ENABLED, false),
                secret, created == null ? null : created.toInstant().toString(), d.getString(WebhookEndpoint.CREATED_BY));
    }

    private static WebhookDtos.DeadLetter deadLetter(Document d) {
        Date created = d.getDate(WebhookDelivery.CREATED_AT);
        Date last = d.getDate(WebhookDelivery.LAST_ATTEMPT_AT);
        return new WebhookDtos.DeadLetter(d.getObjectId(WebhookDelivery.ID).toHexString(),
                d.getString(WebhookDelivery.ENDPOINT), d.getString(WebhookDelivery.EVENT),
                d.getInteger(WebhookDelivery.ATTEMPTS, 0), d.getString(WebhookDelivery.LAST_ERROR),
                created == null ? null : created.toInstant().toString(), last == null ? null : last.toInstant().toString());
    }
}
