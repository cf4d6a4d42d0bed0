package io.mqchat.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What the checks of one group run found ({@link GroupLedger#check}). Counts of deliveries are per (message, member).
 */
final class GroupOutcome {
    long measuredSent;
    long measuredAcked;
    long measuredDelivered;
    long measuredDeliveriesCounted;
    long acked;
    long failed;
    long unanswered;
    long lostDeliveries;
    long messagesWithLoss;
    long deliveredWithoutAck;
    long redeliveries;
    long outOfOrder;
    long foreign;
    int idConflicts;
    int seqConflicts;
    int probesAcked;
    int probesFailed;
    String seqProblem;
    long stored;
    final List<String> storeProblems = new ArrayList<>();
    SideResult.Latency ackLatency;
    SideResult.Latency deliveryLatency;
    long lastMeasuredAckNanos;
    long lastMeasuredDeliveryNanos;
    int errorCount;
    final List<String> errors = new ArrayList<>();
    final List<String> examples = new ArrayList<>();

    void example(String text) {
        if (examples.size() < 5) {
            examples.add(text);
        }
    }

    /** Failed checks, each a sentence; empty when all passed. */
    List<String> problems() {
        List<String> p = new ArrayList<>();
        if (measuredAcked == 0) {
            p.add("no measured message was acknowledged");
        }
        if (failed > 0 || probesFailed > 0) {
            p.add((failed + probesFailed) + " publishes refused or failed");
        }
        if (unanswered > 0) {
            p.add(unanswered + " publishes never answered");
        }
        if (lostDeliveries > 0) {
            p.add(lostDeliveries + " member deliveries of acknowledged messages missing (" + messagesWithLoss
                    + " messages did not reach every member)");
        }
        if (deliveredWithoutAck > 0) {
            p.add(deliveredWithoutAck + " messages delivered without a successful PUBACK");
        }
        if (idConflicts > 0) {
            p.add(idConflicts + " times one cid arrived under a second id (stored twice)");
        }
        if (seqConflicts > 0) {
            p.add(seqConflicts + " times one message arrived with a second seq");
        }
        if (seqProblem != null) {
            p.add(seqProblem);
        }
        p.addAll(storeProblems);
        if (foreign > 0) {
            p.add(foreign + " deliveries that were unparseable or not the group's");
        }
        if (!p.isEmpty()) {
            examples.forEach(e -> p.add("  e.g. " + e));
            if (errorCount > 0) {
                p.add("  " + errorCount + " client-side errors, first ones:");
                errors.forEach(e -> p.add("    " + e));
            }
        }
        return p;
    }
}
