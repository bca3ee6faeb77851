"""Prices: exchange rates, price lines (rideshare, dedicated, express, add-ons) and ``quote_price``,
the priced answer a quote is written from (``services.quotes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from booking.errors import Conflict, InvalidRequest
from booking.models import AddOnService, DedicatedPrice, ExchangeRate, Launch, Quote, QuoteLine, RideshareRate
from booking.rules.money import HUNDRED, fmt_money, money
from booking.selectors.fit import (
    fmt_kg,
    payload_mass_with_adapter_kg,
)
from booking.selectors.guards import check_dedicated_fit, check_launch_fit
from customers.models import Customer, Payload
from vehicles.models import Currency, Provider, VehicleModel

CURRENCIES = tuple(Currency.values)


def _validate_currency(currency: str) -> str:
    if currency not in CURRENCIES:
        raise InvalidRequest(f"unknown currency {currency!r}: choose one of {', '.join(CURRENCIES)}")
    return currency


def exchange_rates() -> dict[str, Decimal]:
    """The whole rates table in one query, for a caller that converts many prices (a search)."""
    return {
        currency: Decimal(rate)
        for currency, rate in ExchangeRate.objects.values_list("currency", "units_per_usd")
    }


def units_per_usd(currency: str, *, rates: Mapping[str, Decimal] | None = None) -> Decimal:
    """Units of ``currency`` one US dollar buys, from the operators' rates table (USD is 1).

    ``rates``, when given, is that table already loaded (``exchange_rates()``).
    """
    _validate_currency(currency)
    if rates is not None:
        rate = rates.get(currency)
    else:
        rate = ExchangeRate.objects.filter(currency=currency).values_list("units_per_usd", flat=True).first()
    if rate is None:
        if currency == Currency.USD:
            return Decimal("1")
        raise InvalidRequest(f"no exchange rate is set for {currency}: an operator must enter one")
    return Decimal(rate)


def price_convert(
    *, amount: Decimal, from_currency: str, to_currency: str, rates: Mapping[str, Decimal] | None = None
) -> Decimal:
    """Convert through US dollars with the rates table (or ``rates``, loaded); rounded half up to cents."""
    if not isinstance(amount, Decimal):
        raise InvalidRequest(f"amounts are Decimal, not {type(amount).__name__}")
    _validate_currency(from_currency)
    _validate_currency(to_currency)
    if from_currency == to_currency:
        return money(amount)
    in_usd = amount / units_per_usd(from_currency, rates=rates)
    return money(in_usd * units_per_usd(to_currency, rates=rates))


@dataclass(frozen=True)
class PriceLine:
    kind: str
    description: str
    amount: Decimal


def _fmt_rate(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def rideshare_launch_lines(
    *,
    provider: Provider,
    orbit_family: str,
    payload: Payload,
    currency: str,
    rates: Mapping[str, Decimal] | None = None,
) -> list[PriceLine]:
    """The seat: the payload's mass times the provider's rate for the orbit family, at least the minimum."""
    rate = RideshareRate.objects.filter(provider=provider, orbit_family=orbit_family).first()
    if rate is None:
        raise Conflict(f"{provider} sells no rideshare seats to {orbit_family}: no price per kg is set")
    mass = Decimal(payload.mass_kg)
    by_mass = mass * rate.price_per_kg
    per_kg = f"{fmt_kg(mass)} kg × {_fmt_rate(rate.price_per_kg, rate.currency)}/kg"
    if by_mass < rate.minimum_charge:
        return [
            PriceLine(
                QuoteLine.Kind.MINIMUM,
                f"Rideshare seat to {orbit_family}: minimum charge "
                f"{_fmt_rate(rate.minimum_charge, rate.currency)} ({per_kg} is less)",
                price_convert(
                    amount=rate.minimum_charge, from_currency=rate.currency, to_currency=currency, rates=rates
                ),
            )
        ]
    return [
        PriceLine(
            QuoteLine.Kind.LAUNCH,
            f"Rideshare seat to {orbit_family}: {per_kg}",
            price_convert(amount=by_mass, from_currency=rate.currency, to_currency=currency, rates=rates),
        )
    ]


def dedicated_launch_lines(
    *, vehicle_model: VehicleModel, currency: str, rates: Mapping[str, Decimal] | None = None
) -> list[PriceLine]:
    """The whole launch at the model's price. Costs no query on a model loaded with
    ``select_related("dedicated_price")`` and with ``rates`` given."""
    try:
        price: DedicatedPrice | None = vehicle_model.dedicated_price  # type: ignore[attr-defined]
    except DedicatedPrice.DoesNotExist:
        price = None
    if price is None:
        raise Conflict(f"no dedicated launch price is set for {vehicle_model}")
    return [
        PriceLine(
            QuoteLine.Kind.LAUNCH,
            f"Dedicated {vehicle_model} launch ({_fmt_rate(price.price, price.currency)})",
            price_convert(
                amount=price.price, from_currency=price.currency, to_currency=currency, rates=rates
            ),
        )
    ]


def express_line(*, provider: Provider, launch_amount: Decimal) -> PriceLine:
    percent = Decimal(provider.express_premium_percent)
    return PriceLine(
        QuoteLine.Kind.EXPRESS,
        f"Express (24-hour) premium: {provider.express_premium_percent}% of the launch price",
        money(launch_amount * percent / HUNDRED),
    )


def _normalise_options(options: Iterable[str]) -> list[str]:
    if isinstance(options, str):
        options = [options]
    chosen: list[str] = []
    for option in options:
        if option not in AddOnService.Kind.values:
            raise InvalidRequest(
                f"unknown option {option!r}: choose from {', '.join(AddOnService.Kind.values)}"
            )
        if option not in chosen:
            chosen.append(option)
    return chosen


def add_on_lines(
    *,
    provider: Provider,
    options: Iterable[str],
    declared_value: Decimal | None,
    currency: str,
    rates: Mapping[str, Decimal] | None = None,
) -> list[PriceLine]:
    """Add-ons the provider sells. A percentage is of the declared value, given in the quote's currency."""
    chosen = _normalise_options(options)
    if not chosen:
        return []
    services = {
        s.kind: s for s in AddOnService.objects.filter(provider=provider, kind__in=chosen, active=True)
    }
    lines = []
    for kind in chosen:
        service = services.get(kind)
        if service is None:
            raise InvalidRequest(f"{provider} does not sell {AddOnService.Kind(kind).label.lower()}")
        if service.percent_of_declared_value is not None:
            if declared_value is None:
                raise InvalidRequest(
                    f"{service.name} is priced at {service.percent_of_declared_value}% of the payload's "
                    "declared value: give a declared value"
                )
            lines.append(
                PriceLine(
                    QuoteLine.Kind.ADD_ON,
                    f"{service.name}: {service.percent_of_declared_value}% of the declared value "
                    f"{fmt_money(declared_value, currency)}",
                    money(declared_value * service.percent_of_declared_value / HUNDRED),
                )
            )
        else:
            assert service.flat_price is not None
            lines.append(
                PriceLine(
                    QuoteLine.Kind.ADD_ON,
                    f"{service.name} ({_fmt_rate(service.flat_price, service.currency)})",
                    price_convert(
                        amount=service.flat_price,
                        from_currency=service.currency,
                        to_currency=currency,
                        rates=rates,
                    ),
                )
            )
    return lines


@dataclass(frozen=True)
class PricedQuote:
    """A quote as it would be given: ``quote`` is not saved (no reference, no author yet)."""

    quote: Quote
    lines: list[PriceLine]


def quote_price(
    *,
    customer: Customer,
    payload: Payload,
    service_level: str = Launch.ServiceLevel.STANDARD,
    launch: Launch | None = None,
    vehicle_model: VehicleModel | None = None,
    currency: str = "USD",
    options: Iterable[str] = (),
    declared_value: Decimal | None = None,
    now: datetime | None = None,
) -> PricedQuote:
    """Price a rideshare seat on ``launch`` or a dedicated launch on ``vehicle_model``; store
    nothing (the portal's live price). ``quote_create`` gives and stores the same quote.

    A launch that sells no rideshare seats (``launch.rideshare`` off) is priced as a dedicated
    launch of its vehicle model. ``declared_value`` is in ``currency``.
    """
    now = now or timezone.now()
    _validate_currency(currency)
    if payload.customer_id != customer.pk:
        raise InvalidRequest(f"payload {payload.name} belongs to another customer")
    if customer.export_screening == Customer.ExportScreening.REFUSED:
        raise Conflict(f"{customer.name} did not pass export screening: no quote can be given")
    if (launch is None) == (vehicle_model is None):
        raise InvalidRequest(
            "choose either a rideshare launch or a vehicle model for a dedicated launch"
            + (", not both" if launch is not None else "")
        )
    if service_level not in Launch.ServiceLevel.values:
        raise InvalidRequest(
            f"unknown service level {service_level!r}: choose one of {', '.join(Launch.ServiceLevel.values)}"
        )
    if declared_value is not None:
        if not isinstance(declared_value, Decimal):
            raise InvalidRequest(
                f"the declared value is a Decimal amount, not {type(declared_value).__name__}"
            )
        if declared_value < 0:
            raise InvalidRequest("the declared value cannot be negative")
    option_list = _normalise_options(options)
    rates = exchange_rates()  # every line converts with the same table, read once

    if launch is not None:
        provider = launch.provider
        model = launch.vehicle_model
        mass_kg = check_launch_fit(launch=launch, payload=payload, now=now)
        if launch.rideshare:
            kind = Quote.Kind.RIDESHARE
            lines = rideshare_launch_lines(
                provider=provider,
                orbit_family=launch.orbit_family,
                payload=payload,
                currency=currency,
                rates=rates,
            )
        else:
            kind = Quote.Kind.DEDICATED
            lines = dedicated_launch_lines(vehicle_model=model, currency=currency, rates=rates)
    else:
        assert vehicle_model is not None
        provider = vehicle_model.provider
        model = vehicle_model
        kind = Quote.Kind.DEDICATED
        check_dedicated_fit(vehicle_model=model, payload=payload)
        mass_kg = payload_mass_with_adapter_kg(payload, model)
        lines = dedicated_launch_lines(vehicle_model=model, currency=currency, rates=rates)

    if service_level == Launch.ServiceLevel.EXPRESS:
        launch_amount = sum((line.amount for line in lines), Decimal("0.00"))
        lines.append(express_line(provider=provider, launch_amount=launch_amount))
    lines += add_on_lines(
        provider=provider, options=option_list, declared_value=declared_value, currency=currency, rates=rates
    )
    total = sum((line.amount for line in lines), Decimal("0.00"))
    quote = Quote(
        customer=customer,
        payload=payload,
        kind=kind,
        service_level=service_level,
        launch=launch,
        vehicle_model=model,
        provider=provider,
        mass_kg=mass_kg,
        options=option_list,
        declared_value=declared_value,
        total=total,
        currency=currency,
        valid_until=now + settings.LAUNCHBOOK_QUOTE_TTL,
    )
    return PricedQuote(quote=quote, lines=lines)
