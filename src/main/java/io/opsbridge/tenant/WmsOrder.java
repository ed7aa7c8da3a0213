package io.opsbridge.tenant;

import java.time.LocalDate;
import java.util.List;

/**
 * One order of a tenant's WMS, as validated from the webhook or a pull (SPEC section 4).
 *
 * @param index its position in the request, for error messages
 * @param customerId an existing customer of the tenant; when null, the customer is found or created
 *        from {@code deliveryAddress}
 */
public record WmsOrder(int index, String externalOrderId, String deliveryAddress, String customerId,
        String customerName, String customerContact, Double totalWeight, Double volume, Integer palletCount,
        List<String> specialHandling, LocalDate plannedDate) {

    /** Exchange property: the tenant whose orders these are. */
    public static final String TENANT_PROPERTY = "tenantId";
    /** Exchange property: {@code webhook} or {@code pull:<endpoint id>}. */
    public static final String SOURCE_PROPERTY = "orderSource";
    /** Exchange property: the validated orders, a {@code List<WmsOrder>}. */
    public static final String ORDERS_PROPERTY = "wmsOrders";

    public static final String DEFAULT_CUSTOMER_NAME = "WMS Customer";
    public static final String DEFAULT_CUSTOMER_CONTACT = "N/A";
}
