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
from django.utils.translation import gettext as _

from booking.errors import Conflict, InvalidRequest
from booking.models import (
    AddOnService,
    Booking,
    DedicatedPrice,
    ExchangeRate,
    Launch,
    LaunchPort,
    Quote,
    QuoteLine,
    RideshareRate,
)
from booking.rules.money import HUNDRED, fmt_money, money
from booking.selectors.catalog import kept_catalog
from booking.selectors.dedicated import refuse_dedicated_launch
from booking.selectors.fit import CountedMass, counted_mass
from booking.selectors.guards import check_dedicated_fit, check_launch_fit
from booking.selectors.ports import Seat, choose_seat, port_label
from customers.models import Customer, Payload
from vehicles.models import Adapter, Currency, Provider, VehicleModel

CURRENCIES = tuple(Currency.values)


def currency_checked(currency: str) -> str:
    """``currency`` when it is one the product prices in; else ``InvalidRequest`` naming them."""
    if currency not in CURRENCIES:
        raise InvalidRequest(
            _("unknown currency %(currency)s: choose one of %(currencies)s")
            % {"currency": f"{currency!r}", "currencies": ", ".join(CURRENCIES)}
        )
    return currency


def exchange_rates() -> dict[str, Decimal]:
    """The whole rates table in one query (none outside a transaction: the kept catalog's), for a
    caller that converts many prices (a search)."""
    catalog = kept_catalog()
    if catalog is not None:
        return dict(catalog.rates)
    return {
        currency: Decimal(rate)
        for currency, rate in ExchangeRate.objects.values_list("currency", "units_per_usd")
    }


def units_per_usd(currency: str, *, rates: Mapping[str, Decimal] | None = None) -> Decimal:
    """Units of ``currency`` one US dollar buys, from the operators' rates table (USD is 1).

    ``rates``, when given, is that table already loaded (``exchange_rates()``).
    """
    currency_checked(currency)
    if rates is not None:
        rate = rates.get(currency)
    else:
        rate = ExchangeRate.objects.filter(currency=currency).values_list("units_per_usd", flat=True).first()
    if rate is None:
        if currency == Currency.USD:
            return Decimal("1")
        raise InvalidRequest(
            _("no exchange rate is set for %(currency)s: an operator must enter one") % {"currency": currency}
        )
    return Decimal(rate)


def price_convert(
    *, amount: Decimal, from_currency: str, to_currency: str, rates: Mapping[str, Decimal] | None = None
) -> Decimal:
    """Convert through US dollars with the rates table (or ``rates``, loaded); rounded half up to cents."""
    if not isinstance(amount, Decimal):
        raise InvalidRequest(_("amounts are Decimal, not %(name)s") % {"name": type(amount).__name__})
    currency_checked(from_currency)
    currency_checked(to_currency)
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
    mass: CountedMass,
    currency: str,
    rates: Mapping[str, Decimal] | None = None,
) -> list[PriceLine]:
    """The seat: the counted mass (payload plus adapter, what the launch carries) times the
    provider's rate for the orbit family, at least the minimum."""
    catalog = kept_catalog()
    if catalog is not None:
        rate = catalog.rideshare_rates.get((provider.pk, orbit_family))
    else:
        rate = RideshareRate.objects.filter(provider=provider, orbit_family=orbit_family).first()
    if rate is None:
        raise Conflict(
            _("%(provider)s sells no rideshare seats to %(orbit_family)s: no price per kg is set")
            % {"provider": provider, "orbit_family": orbit_family}
        )
    by_mass = mass.total_kg * rate.price_per_kg
    per_kg = f"{mass.describe()} × {_fmt_rate(rate.price_per_kg, rate.currency)}/kg"
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
        raise Conflict(
            _("no dedicated launch price is set for %(vehicle_model)s") % {"vehicle_model": vehicle_model}
        )
    return [
        PriceLine(
            QuoteLine.Kind.LAUNCH,
            f"Dedicated {vehicle_model} launch ({_fmt_rate(price.price, price.currency)})",
            price_convert(
                amount=price.price, from_currency=price.currency, to_currency=currency, rates=rates
            ),
        )
    ]


def port_lines(
    *, port: LaunchPort | None, currency: str, rates: Mapping[str, Decimal] | None = None
) -> list[PriceLine]:
    """The port's price, when the seat takes a port that has one."""
    if port is None or not port.price:
        return []
    return [
        PriceLine(
            QuoteLine.Kind.PORT,
            f"{port_label(port.kind)} ({_fmt_rate(port.price, port.currency)})",
            price_convert(amount=port.price, from_currency=port.currency, to_currency=currency, rates=rates),
        )
    ]


def express_line(*, provider: Provider, launch_amount: Decimal) -> PriceLine:
    percent = Decimal(provider.express_premium_percent)
    return PriceLine(
        QuoteLine.Kind.EXPRESS,
        _("Express (24-hour) premium: %(percent)s%% of the launch price")
        % {"percent": provider.express_premium_percent},
        money(launch_amount * percent / HUNDRED),
    )


def price_service_level(*, launch: Launch | None, requested: str | None) -> str:
    """The service level a price is given at: the launch's own, whatever the request says.

    Seats on an express launch are express-priced and seats on a standard launch standard-priced;
    a request naming the other level is refused (``None`` follows the launch). Without a launch (a
    dedicated launch of a model, not yet scheduled) the level requested, standard by default.
    """
    if requested is not None and requested not in Launch.ServiceLevel.values:
        raise InvalidRequest(
            _("unknown service level %(level)r: choose one of %(choices)s")
            % {"level": requested, "choices": ", ".join(Launch.ServiceLevel.values)}
        )
    if launch is None:
        return requested or Launch.ServiceLevel.STANDARD
    if requested is not None and requested != launch.service_level:
        raise InvalidRequest(
            _(
                "%(launch)s is %(kind)s: its seats are priced at the %(level)s level. "
                "Leave the service level out, or choose %(other)s"
            )
            % {
                "launch": launch.name,
                "kind": _level_launch(launch.service_level),
                "level": launch.service_level,
                "other": _level_launch(requested),
            }
        )
    return launch.service_level


def _level_launch(level: str) -> str:
    """The launch named by its level, article included (an express launch, a standard launch)."""
    if level == Launch.ServiceLevel.EXPRESS:
        return _("an express launch")
    return _("a standard launch")


def express_launch_lines(
    *, vehicle_model: VehicleModel, currency: str, rates: Mapping[str, Decimal] | None = None
) -> list[PriceLine]:
    """An express launch of its own: the model's dedicated price plus the provider's express premium
    on it. The express order's price, before (from its plan) and after the launch is scheduled."""
    lines = dedicated_launch_lines(vehicle_model=vehicle_model, currency=currency, rates=rates)
    launch_amount = sum((line.amount for line in lines), Decimal("0.00"))
    return [*lines, express_line(provider=vehicle_model.provider, launch_amount=launch_amount)]


def price_total(lines: Iterable[PriceLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0.00"))


def rebook_price_refusal(*, reference: str, from_launch: Launch, to_launch: Launch) -> str | None:
    """A booking keeps its price when it moves only between launches priced at one service level:
    a seat bought at the standard rate never rides an express launch, nor an express seat a
    standard one. Why not, or ``None``."""
    if from_launch.service_level == to_launch.service_level:
        return None
    return _(
        "booking %(reference)s was priced for %(old)s and %(launch)s is %(new)s: its seats are priced "
        "differently. Ask for a quote on %(launch)s instead"
    ) % {
        "reference": reference,
        "old": _level_launch(from_launch.service_level),
        "new": _level_launch(to_launch.service_level),
        "launch": to_launch.name,
    }


def _normalise_options(options: Iterable[str]) -> list[str]:
    if isinstance(options, str):
        options = [options]
    chosen: list[str] = []
    for option in options:
        if option not in AddOnService.Kind.values:
            raise InvalidRequest(
                _("unknown option %(option)s: choose from %(values)s")
                % {"option": f"{option!r}", "values": ", ".join(AddOnService.Kind.values)}
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
            raise InvalidRequest(
                _("%(provider)s does not sell %(lower)s")
                % {"provider": provider, "lower": AddOnService.Kind(kind).label.lower()}
            )
        if service.percent_of_declared_value is not None:
            if declared_value is None:
                raise InvalidRequest(
                    _(
                        "%(name)s is priced at %(percent_of_declared_value)s%% of the payload's declared "
                        "value: give a declared value"
                    )
                    % {"name": service.name, "percent_of_declared_value": service.percent_of_declared_value}
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


@dataclass(frozen=True)
class _Target:
    provider: Provider
    model: VehicleModel
    kind: str
    seat: Seat
    mass: CountedMass
    lines: list[PriceLine]


def _priced_target(
    *,
    payload: Payload,
    launch: Launch | None,
    vehicle_model: VehicleModel | None,
    port: str | None,
    adapter: Adapter | None,
    currency: str,
    rates: Mapping[str, Decimal],
    now: datetime,
    launch_made_for_it: bool = False,
) -> _Target:
    """The seat or launch priced, with the counted mass: the part of ``quote_price`` that differs
    between a rideshare seat, a launch flown dedicated and a dedicated launch of a model."""
    if launch is None:
        assert vehicle_model is not None
        if port or adapter is not None:
            raise InvalidRequest(_("a dedicated launch has no ports to choose: send no port or adapter"))
        check_dedicated_fit(vehicle_model=vehicle_model, payload=payload)
        return _Target(
            vehicle_model.provider,
            vehicle_model,
            Quote.Kind.DEDICATED,
            Seat(port=None, adapter=None),
            counted_mass(payload, vehicle_model),
            dedicated_launch_lines(vehicle_model=vehicle_model, currency=currency, rates=rates),
        )
    model = launch.vehicle_model
    if launch_made_for_it:
        # The express order's own launch: the whole rocket was scheduled for this payload.
        if port or adapter is not None:
            raise InvalidRequest(_("a launch of your own has no ports to choose: send no port or adapter"))
        check_launch_fit(launch=launch, payload=payload, now=now)
        lines = dedicated_launch_lines(vehicle_model=model, currency=currency, rates=rates)
        return _Target(
            launch.provider,
            model,
            Quote.Kind.DEDICATED,
            Seat(None, None),
            counted_mass(payload, model),
            lines,
        )
    if not launch.rideshare:
        if port or adapter is not None:
            raise InvalidRequest(
                _("%(name)s is a dedicated launch: it has no ports to choose") % {"name": launch.name}
            )
        check_launch_fit(launch=launch, payload=payload, now=now)
        lines = dedicated_launch_lines(vehicle_model=model, currency=currency, rates=rates)
        return _Target(
            launch.provider,
            model,
            Quote.Kind.DEDICATED,
            Seat(None, None),
            counted_mass(payload, model),
            lines,
        )
    seat = choose_seat(launch=launch, port_kind=port, adapter=adapter)
    check_launch_fit(launch=launch, payload=payload, now=now, seat=seat)
    mass = counted_mass(payload, model, seat.adapter)
    lines = rideshare_launch_lines(
        provider=launch.provider, orbit_family=launch.orbit_family, mass=mass, currency=currency, rates=rates
    )
    lines += port_lines(port=seat.port, currency=currency, rates=rates)
    return _Target(launch.provider, model, Quote.Kind.RIDESHARE, seat, mass, lines)


def quote_price(
    *,
    customer: Customer,
    payload: Payload,
    service_level: str | None = None,
    launch: Launch | None = None,
    vehicle_model: VehicleModel | None = None,
    currency: str = "USD",
    options: Iterable[str] = (),
    declared_value: Decimal | None = None,
    now: datetime | None = None,
    port: str | None = None,
    adapter: Adapter | None = None,
    launch_made_for_it: bool = False,
) -> PricedQuote:
    """Price a rideshare seat on ``launch`` or a dedicated launch on ``vehicle_model``; store
    nothing (the portal's live price). ``quote_create`` gives and stores the same quote.

    A launch that sells no rideshare seats (``launch.rideshare`` off), and a launch made for the
    payload (``launch_made_for_it``: the express order's own launch), are priced as a dedicated
    launch of its vehicle model. The service level is the launch's (``price_service_level``): an
    express launch adds the provider's premium to the launch price, the seat's or the whole
    launch's. ``declared_value`` is in ``currency``. ``port`` is the port kind
    chosen on a launch with ports, ``adapter`` a catalog adapter (``selectors.ports.choose_seat``).
    """
    now = now or timezone.now()
    currency_checked(currency)
    if payload.customer_id != customer.pk:
        raise InvalidRequest(_("payload %(name)s belongs to another customer") % {"name": payload.name})
    if customer.export_screening == Customer.ExportScreening.REFUSED:
        raise Conflict(
            _("%(name)s did not pass export screening: no quote can be given") % {"name": customer.name}
        )
    if launch is not None:
        refuse_dedicated_launch(launch=launch, customer=customer)
    if (launch is None) == (vehicle_model is None):
        raise InvalidRequest(
            "choose either a rideshare launch or a vehicle model for a dedicated launch"
            + (", not both" if launch is not None else "")
        )
    service_level = price_service_level(launch=launch, requested=service_level)
    if launch_made_for_it and launch is None:
        raise InvalidRequest(_("only a scheduled launch can be made for a payload"))
    if declared_value is not None:
        if not isinstance(declared_value, Decimal):
            raise InvalidRequest(
                _("the declared value is a Decimal amount, not %(name)s")
                % {"name": type(declared_value).__name__}
            )
        if declared_value < 0:
            raise InvalidRequest(_("the declared value cannot be negative"))
    option_list = _normalise_options(options)
    rates = exchange_rates()  # every line converts with the same table, read once

    target = _priced_target(
        payload=payload,
        launch=launch,
        vehicle_model=vehicle_model,
        port=port,
        adapter=adapter,
        currency=currency,
        rates=rates,
        now=now,
        launch_made_for_it=launch_made_for_it,
    )
    provider, model, kind, seat, mass, lines = (
        target.provider,
        target.model,
        target.kind,
        target.seat,
        target.mass,
        target.lines,
    )
    if service_level == Launch.ServiceLevel.EXPRESS:
        lines.append(express_line(provider=provider, launch_amount=price_total(lines)))
    lines += add_on_lines(
        provider=provider, options=option_list, declared_value=declared_value, currency=currency, rates=rates
    )
    total = price_total(lines)
    quote = Quote(
        customer=customer,
        payload=payload,
        kind=kind,
        service_level=service_level,
        launch=launch,
        vehicle_model=model,
        provider=provider,
        mass_kg=mass.total_kg,
        launch_port=seat.port,
        adapter=seat.adapter,
        adapter_mass_kg=mass.adapter_kg,
        options=option_list,
        declared_value=declared_value,
        total=total,
        currency=currency,
        valid_until=now + settings.LAUNCHBOOK_QUOTE_TTL,
        launch_made_for_it=launch_made_for_it,
    )
    return PricedQuote(quote=quote, lines=lines)


# --- rebooking ---------------------------------------------------------------------------------


def rebook_price(*, booking: Booking, launch: Launch, seat: Seat, now: datetime | None = None) -> PricedQuote:
    """The booking's seat priced on ``launch``, where it would move: the launch price there (with
    ``seat``'s port and adapter) and the add-ons its quote chose, in the booking's currency. What
    the move page shows and what ``booking_rebook`` charges."""
    quote = booking.quote
    return quote_price(
        customer=booking.customer,
        payload=booking.payload,
        launch=launch,
        service_level=launch.service_level,
        currency=booking.currency,
        options=tuple(quote.options) if quote is not None else (),
        declared_value=quote.declared_value if quote is not None else None,
        now=now,
        port=seat.port.kind if seat.port is not None else None,
        adapter=seat.adapter,
    )
