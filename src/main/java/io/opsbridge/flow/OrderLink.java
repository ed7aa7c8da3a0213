package io.opsbridge.flow;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What OpsBridge knows of one order: the task, pick and backorder it led to. Exchange property
 * {@value #PROPERTY}; the route files read it as {@code ${exchangeProperty.link.taskId}}.
 */
public final class OrderLink {

    public static final String PROPERTY = "link";

    private final String orderId;
    private boolean stored;
    private String taskId;
    private String pickId;
    private String backorderId;
    private String status = "open";
    private String pickStatus;
    private int lastSequence;
    private boolean taskPickLinked;
    private boolean backorderNotified;
    private JsonNode orderPayload;
    /** The task and pick ids table order_ref already maps to this order (as read, or since saved). */
    private String taskRef;
    private String pickRef;

    public OrderLink(String orderId) {
        this.orderId = orderId;
    }

    public String getOrderId() {
        return orderId;
    }

    public boolean isStored() {
        return stored;
    }

    void setStored(boolean stored) {
        this.stored = stored;
    }

    /** The task id to map to this order in order_ref, when it is new (null when already mapped or none). */
    String newTaskRef() {
        return taskId != null && !taskId.equals(taskRef) ? taskId : null;
    }

    /** The pick id to map to this order in order_ref, when it is new. */
    String newPickRef() {
        return pickId != null && !pickId.equals(pickRef) ? pickId : null;
    }

    /** The task and pick ids held now are mapped to this order (read so, or saved). */
    void refsStored() {
        taskRef = taskId;
        pickRef = pickId;
    }

    public String getTaskId() {
        return taskId;
    }

    void setTaskId(String taskId) {
        this.taskId = taskId;
    }

    public String getPickId() {
        return pickId;
    }

    void setPickId(String pickId) {
        this.pickId = pickId;
    }

    public String getBackorderId() {
        return backorderId;
    }

    void setBackorderId(String backorderId) {
        this.backorderId = backorderId;
    }

    public String getStatus() {
        return status;
    }

    void setStatus(String status) {
        this.status = status;
    }

    public String getPickStatus() {
        return pickStatus;
    }

    void setPickStatus(String pickStatus) {
        this.pickStatus = pickStatus;
    }

    public int getLastSequence() {
        return lastSequence;
    }

    void setLastSequence(int lastSequence) {
        this.lastSequence = lastSequence;
    }

    public boolean isTaskPickLinked() {
        return taskPickLinked;
    }

    void setTaskPickLinked(boolean taskPickLinked) {
        this.taskPickLinked = taskPickLinked;
    }

    public boolean isBackorderNotified() {
        return backorderNotified;
    }

    void setBackorderNotified(boolean backorderNotified) {
        this.backorderNotified = backorderNotified;
    }

    /** Backordered (the WMS had no stock) and the CRM not told yet. */
    public boolean isBackorderToNotify() {
        return "backordered".equals(status) && !backorderNotified && orderPayload != null;
    }

    /** A pick and a task, and the task does not carry the pick id yet. */
    public boolean isPickToAttach() {
        return pickId != null && taskId != null && !taskPickLinked;
    }

    public JsonNode getOrderPayload() {
        return orderPayload;
    }

    void setOrderPayload(JsonNode orderPayload) {
        this.orderPayload = orderPayload;
    }

    /** Whether a pick may still be requested: none yet, and the order neither backordered nor cancelled. */
    public boolean isPickWanted() {
        return pickId == null && "open".equals(status) && orderPayload != null;
    }

    /** Whether the pick may still be changed: requested or created, not started. */
    public boolean isPickChangeable() {
        return pickId != null && (pickStatus == null || "requested".equals(pickStatus) || "created".equals(pickStatus));
    }
}
